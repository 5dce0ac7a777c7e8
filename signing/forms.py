from django import forms
from django.utils.translation import gettext_lazy as _

from . import services
from .models import SigningProfile
from .sign import allowed_pkcs11_modules


def small_enough(upload, limit: int, message):
    """The uploaded file, or the form error `message` when it is over `limit` bytes (read at
    call time from signing.services, where the services check the bytes again)."""
    if upload is not None and upload.size > limit:
        raise forms.ValidationError(message)
    return upload


class SignedUploadForm(forms.Form):
    signed = forms.FileField(
        label=_("Tệp PDF đã ký số (tối đa 20 MB)"),
        help_text=_(
            "Tệp PDF của phiên bản này, đã ký bằng phần mềm ký số và thiết bị ký số (USB token) "
            "của người ký."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}),
    )

    def clean_signed(self):
        return small_enough(
            self.cleaned_data["signed"],
            services.MAX_SIGNED_BYTES,
            _("Tệp quá lớn: tối đa 20 MB."),
        )


class ServerSignForm(forms.Form):
    target = forms.ChoiceField(label=_("Vị trí ký"))
    pkcs12 = forms.FileField(
        label=_("Tệp chứng thư số cá nhân (.p12, .pfx)"),
        required=False,
        help_text=_("Chỉ khi ký vào khối chữ ký của một người. Tệp không được lưu lại."),
        widget=forms.ClearableFileInput(attrs={"accept": ".p12,.pfx,application/x-pkcs12"}),
    )
    secret = forms.CharField(
        label=_("Mật khẩu tệp chứng thư hoặc mã PIN thiết bị ký số"),
        required=False,
        max_length=200,
        strip=False,
        help_text=_("Dùng cho lần ký này, không được lưu lại."),
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
    )

    def __init__(self, *args, targets=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = list(targets)

    def clean_pkcs12(self):
        return small_enough(
            self.cleaned_data.get("pkcs12"),
            services.MAX_CERT_BYTES,
            _("Tệp chứng thư quá lớn: tối đa 256 KB."),
        )


class TrustRootForm(forms.Form):
    certificate = forms.FileField(
        label=_("Chứng thư số của tổ chức cấp (CA): .cer, .crt, .der, .pem"),
        widget=forms.ClearableFileInput(attrs={"accept": ".cer,.crt,.der,.pem"}),
    )
    label = forms.CharField(
        label=_("Ghi chú"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": _("Ví dụ: Root CA quốc gia, tải ngày …")}),
    )


class SignatureImageForm(forms.Form):
    image = forms.FileField(
        label=_("Ảnh PNG nền trong suốt (tối đa 2 MB)"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/png"}),
    )
    width_mm = forms.DecimalField(
        label=_("Chiều rộng thực (mm)"), max_digits=5, decimal_places=1, min_value=1
    )

    def clean_image(self):
        return small_enough(
            self.cleaned_data["image"], services.MAX_IMAGE_BYTES, _("Tệp quá lớn: tối đa 2 MB.")
        )


class ProfileForm(forms.Form):
    enabled = forms.BooleanField(label=_("Cho phép ký số của cơ quan trên máy chủ"), required=False)
    display_name = forms.CharField(label=_("Tên cơ quan hiển thị trên chữ ký"), max_length=200)
    backend = forms.ChoiceField(label=_("Nơi giữ khóa"), choices=SigningProfile.Backend.choices)
    pkcs11_module = forms.ChoiceField(label=_("Thư viện PKCS#11"), required=False)
    pkcs11_token = forms.CharField(label=_("Nhãn token"), required=False, max_length=64)
    pkcs11_key = forms.CharField(label=_("Nhãn khóa và chứng thư"), required=False, max_length=64)
    pkcs12 = forms.FileField(
        label=_("Tệp PKCS#12 của cơ quan (.p12, .pfx)"),
        required=False,
        help_text=_("Để trống nếu giữ tệp đã tải lên trước đây."),
        widget=forms.ClearableFileInput(attrs={"accept": ".p12,.pfx,application/x-pkcs12"}),
    )
    passphrase = forms.CharField(
        label=_("Mật khẩu tệp PKCS#12"),
        required=False,
        max_length=200,
        strip=False,
        help_text=_("Chỉ để đọc chứng thư lúc này; không được lưu. Khi ký sẽ được hỏi lại."),
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        modules = allowed_pkcs11_modules()
        self.fields["pkcs11_module"].choices = [("", "—")] + [(m, m) for m in modules]
