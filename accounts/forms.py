from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from blocs.forms import StrippedCharsMixin, TableImportForm
from blocs.models import RoleAssignment

ROLE_CHOICES = [
    (RoleAssignment.Role.DELEGATE.value, _("Đại biểu đơn vị")),
    (RoleAssignment.Role.SECRETARY.value, _("Thư ký khối")),
]


class RoleFieldsMixin:
    """Role + the bloc (secretary) or unit (delegate) it applies to; JS shows only the one needed."""

    def _setup_role_fields(self, *, blocs, units):
        self.fields["bloc"].queryset = blocs.select_related("organizer").order_by("name")
        self.fields["unit"].queryset = units.select_related("organizer").order_by("name")
        self.fields["bloc"].widget.attrs["data-show-if"] = "role:secretary"
        self.fields["unit"].widget.attrs["data-show-if"] = "role:delegate"

    def clean(self):
        cleaned = super().clean()
        role = cleaned.get("role")
        if role == RoleAssignment.Role.SECRETARY and not cleaned.get("bloc"):
            self.add_error("bloc", _("Hãy chọn khối mà thư ký phụ trách."))
        if role == RoleAssignment.Role.DELEGATE and not cleaned.get("unit"):
            self.add_error("unit", _("Hãy chọn đơn vị của đại biểu."))
        if role == RoleAssignment.Role.SECRETARY:
            cleaned["unit"] = None
        elif role == RoleAssignment.Role.DELEGATE:
            cleaned["bloc"] = None
        return cleaned


class AccountCreateForm(RoleFieldsMixin, StrippedCharsMixin, forms.Form):
    full_name = forms.CharField(
        label=_("Họ và tên"),
        max_length=150,
        help_text=_("Ví dụ: Nguyễn Văn An."),
    )
    email = forms.EmailField(
        label=_("Email"),
        max_length=254,
        help_text=_("Thư mời đặt mật khẩu gửi tới địa chỉ này. Ví dụ: nvan@toaan.gov.vn."),
    )
    username = forms.CharField(
        label=_("Tên đăng nhập"),
        max_length=150,
        required=False,
        help_text=_(
            "Chữ thường không dấu, số, dấu chấm, - hoặc _, ví dụ daibieu.tand. "
            "Để trống: lấy phần trước @ của email."
        ),
    )
    role = forms.ChoiceField(label=_("Vai trò"), choices=ROLE_CHOICES, widget=forms.RadioSelect)
    unit = forms.ModelChoiceField(label=_("Đơn vị"), queryset=None, required=False)
    bloc = forms.ModelChoiceField(label=_("Khối (cụm) thi đua"), queryset=None, required=False)
    invite = forms.BooleanField(
        label=_("Gửi thư mời đặt mật khẩu ngay"),
        required=False,
        initial=True,
    )

    def __init__(self, *args, blocs, units, **kwargs):
        super().__init__(*args, **kwargs)
        self._setup_role_fields(blocs=blocs, units=units)
        self.fields["invite"].help_text = _("Liên kết dùng một lần, có hiệu lực %(days)s ngày.") % {
            "days": getattr(settings, "INVITATION_DAYS", 7)
        }


class AccountEditForm(StrippedCharsMixin, forms.Form):
    full_name = forms.CharField(label=_("Họ và tên"), max_length=150)
    email = forms.EmailField(
        label=_("Email"), max_length=254, help_text=_("Ví dụ: nvan@toaan.gov.vn.")
    )


class RoleGrantForm(RoleFieldsMixin, StrippedCharsMixin, forms.Form):
    role = forms.ChoiceField(label=_("Vai trò"), choices=ROLE_CHOICES, widget=forms.RadioSelect)
    unit = forms.ModelChoiceField(label=_("Đơn vị"), queryset=None, required=False)
    bloc = forms.ModelChoiceField(label=_("Khối (cụm) thi đua"), queryset=None, required=False)

    def __init__(self, *args, blocs, units, **kwargs):
        kwargs.setdefault("auto_id", "grant_%s")
        super().__init__(*args, **kwargs)
        self._setup_role_fields(blocs=blocs, units=units)


class AccountImportForm(TableImportForm):
    file = forms.FileField(
        label=_("Tệp danh mục (.xlsx hoặc .csv)"),
        help_text=_("Cùng tệp với «Nhập/xuất danh mục», thêm các cột tài khoản ở bảng bên."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )
