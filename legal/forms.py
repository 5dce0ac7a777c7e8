from django import forms
from django.utils.translation import gettext_lazy as _

from .models import BlocSigner, LegalText, UnitHead

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class LegalTextForm(forms.ModelForm):
    scope = forms.ChoiceField(label=_("Phạm vi áp dụng"))
    replaces = forms.ModelChoiceField(
        label=_("Thay thế văn bản (nếu có)"),
        queryset=LegalText.objects.none(),
        required=False,
        help_text=_("Văn bản bị thay thế hết hiệu lực từ ngày văn bản này có hiệu lực."),
    )

    class Meta:
        model = LegalText
        fields = [
            "kind",
            "number",
            "title",
            "issuer",
            "signed_on",
            "effective_from",
            "effective_until",
            "position",
            "source",
            "verified",
        ]
        widgets = {
            "signed_on": DATE,
            "effective_from": DATE,
            "effective_until": DATE,
            "source": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, scopes: list[tuple[str, str]], replaceable, editing=False, **kw):
        super().__init__(*args, **kw)
        self.fields["scope"].choices = scopes
        self.fields["replaces"].queryset = replaceable
        if editing:
            del self.fields["scope"]
            del self.fields["replaces"]


class UnitHeadForm(forms.ModelForm):
    class Meta:
        model = UnitHead
        fields = ["unit", "title", "full_name", "valid_from", "valid_until", "source"]
        widgets = {"valid_from": DATE, "valid_until": DATE}

    def __init__(self, *args, units, **kw):
        super().__init__(*args, **kw)
        self.fields["unit"].queryset = units


class BlocSignerForm(forms.ModelForm):
    class Meta:
        model = BlocSigner
        fields = ["role", "full_name", "title", "valid_from", "valid_until", "source"]
        widgets = {"valid_from": DATE, "valid_until": DATE}
