from django import forms
from django.utils.translation import gettext_lazy as _


class FinalizeForm(forms.Form):
    reason = forms.CharField(
        label=_("Lý do (khi lập phiên bản mới)"),
        max_length=500,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("Ví dụ: sửa tên đại biểu")}),
    )
    ends = forms.TimeField(
        label=_("Giờ kết thúc hội nghị"),
        required=False,
        input_formats=["%H:%M"],
        error_messages={"invalid": _("Giờ kết thúc không hợp lệ (ví dụ 11:30).")},
    )
    number = forms.IntegerField(
        min_value=1,
        widget=forms.HiddenInput,
        error_messages={"required": _("Hãy xác nhận số văn bản trước khi khóa.")},
    )


class ScanForm(forms.Form):
    scan = forms.FileField(label=_("Bản scan có chữ ký (PDF, JPEG, PNG; tối đa 10 MB)"))
