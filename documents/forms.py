from django import forms
from django.utils.translation import gettext_lazy as _


class FinalizeForm(forms.Form):
    reason = forms.CharField(
        label=_("Lý do (khi lập phiên bản mới)"),
        max_length=500,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("Ví dụ: sửa tên đại biểu")}),
    )


class ScanForm(forms.Form):
    scan = forms.FileField(label=_("Bản scan có chữ ký (PDF, JPEG, PNG; tối đa 10 MB)"))
