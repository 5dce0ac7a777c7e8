from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ReminderRule


class ReminderRuleForm(forms.ModelForm):
    class Meta:
        model = ReminderRule
        fields = ["enabled", "days_before"]
        widgets = {"days_before": forms.NumberInput(attrs={"min": 1, "max": 60})}


class GuestEmailsForm(forms.Form):
    """One email field per guest of the meeting (empty: no mail to that guest)."""

    def __init__(self, *args, guests, **kwargs):
        super().__init__(*args, **kwargs)
        self.guests = list(guests)
        for guest in self.guests:
            contact = getattr(guest, "contact", None)
            self.fields[f"g{guest.pk}"] = forms.EmailField(
                label=str(guest),
                required=False,
                initial=contact.email if contact else "",
                help_text=_("Ví dụ: vanphong@bacninh.gov.vn."),
            )

    def emails(self) -> dict[int, str]:
        return {g.pk: self.cleaned_data.get(f"g{g.pk}", "") or "" for g in self.guests}
