"""Pages of ký số: signing a finalized version (upload a file signed elsewhere, or sign on the
server), the public verification of a signed file, the trust list, images and the organizer's
certificate. Views parse, check access through one helper, call one service and render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from blocs.access import (
    can_manage_organizer,
    require_office,
    roles_of,
)
from blocs.models import Organizer
from documents.access import get_version_for_user
from documents.models import DocumentVersion
from khoithidua.lib.views import apply_validation_error

from . import services
from .forms import (
    ProfileForm,
    ServerSignForm,
    SignatureImageForm,
    SignedUploadForm,
    TrustRootForm,
)
from .models import SignatureImage, SignedFile, SigningProfile, TrustRoot
from .verify import FileResult

# --- access helpers -------------------------------------------------------------------------


def _get_organizer_for_user(request: HttpRequest, pk: int) -> Organizer:
    """An organizer whose signing settings the user manages: its office staff or a superuser.
    Others: 404 when they have no role there at all, 403 otherwise."""
    try:
        organizer = Organizer.objects.get(pk=pk)
    except (Organizer.DoesNotExist, ValueError, TypeError):
        raise Http404(_("Không tìm thấy cơ quan tổ chức.")) from None
    if not can_manage_organizer(request.user, organizer.pk):
        raise Http404(_("Không tìm thấy cơ quan tổ chức."))
    return organizer


def _errors(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _form_errors(request: HttpRequest, form) -> None:
    for errors in form.errors.values():
        for message in errors:
            messages.error(request, message)


def _pdf(data: bytes, filename: str, etag: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["ETag"] = f'"{etag}"'
    return response


def _base_name(version: DocumentVersion) -> str:
    return f"{version.kind}-so-{version.number:02d}-v{version.version}"


# --- a finalized version --------------------------------------------------------------------


def version_download(version: DocumentVersion) -> HttpResponse | None:
    """The signed PDF the version's download offers once it is signed (None: not signed).
    Called by documents.views.version_pdf."""
    current = services.current_signed(version)
    if current is None:
        return None
    return _pdf(
        current.read_bytes(), f"{_base_name(version)}-da-ky-{current.seq}.pdf", current.sha256
    )


@login_required
def original_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The finalized bytes, unchanged (before any signature)."""
    version = get_version_for_user(request.user, pk)
    data = DocumentVersion.objects.values_list("pdf", flat=True).get(pk=version.pk)
    return _pdf(bytes(data), f"{_base_name(version)}-ban-khoa-goc.pdf", version.pdf_sha256)


@login_required
def signed_pdf(request: HttpRequest, pk: int, seq: int) -> HttpResponse:
    version = get_version_for_user(request.user, pk)
    signed = SignedFile.objects.filter(version=version, seq=seq).first()
    if signed is None:
        raise Http404(_("Không tìm thấy bản đã ký."))
    return _pdf(signed.read_bytes(), f"{_base_name(version)}-da-ky-{seq}.pdf", signed.sha256)


@login_required
@require_POST
def upload_signed(request: HttpRequest, pk: int) -> HttpResponse:
    version = get_version_for_user(request.user, pk, run=True)
    form = SignedUploadForm(request.POST, request.FILES)
    back = reverse("documents:version_detail", args=[version.pk])
    if not form.is_valid():
        _form_errors(request, form)
        return redirect(back)
    upload = form.cleaned_data["signed"]
    if upload.size > services.MAX_SIGNED_BYTES:
        messages.error(request, _("Tệp quá lớn: tối đa 20 MB."))
        return redirect(back)
    data = upload.read()
    try:
        signed = services.signed_upload(version=version, data=data, actor=request.user)
    except services.SignatureRefused as exc:
        return render(
            request,
            "signing/verify_result.html",
            {
                "result": exc.result,
                "version": version,
                "refusal": exc.messages[0],
                "upload": True,
                "back": back,
            },
            status=422,
        )
    messages.success(
        request,
        _("Đã lưu bản đã ký số (lần ký %(n)s, %(count)s chữ ký).")
        % {"n": signed.seq, "count": signed.signature_count},
    )
    return redirect(back)


@login_required
@require_POST
def sign_on_server(request: HttpRequest, pk: int) -> HttpResponse:
    version = get_version_for_user(request.user, pk, run=True)
    back = reverse("documents:version_detail", args=[version.pk])
    state = services.signing_state(version)
    form = ServerSignForm(request.POST, request.FILES, targets=services.sign_targets(state))
    if not form.is_valid():
        _form_errors(request, form)
        return redirect(back)
    pkcs12 = form.cleaned_data.get("pkcs12")
    if pkcs12 is not None and pkcs12.size > services.MAX_CERT_BYTES:
        messages.error(request, _("Tệp chứng thư quá lớn: tối đa 256 KB."))
        return redirect(back)
    try:
        signed = services.version_sign(
            version=version,
            target=form.cleaned_data["target"],
            actor=request.user,
            secret=form.cleaned_data.get("secret") or "",
            pkcs12_data=pkcs12.read() if pkcs12 else None,
        )
    except ValidationError as exc:
        _errors(request, exc)
        return redirect(back)
    messages.success(request, _("Đã ký số văn bản (lần ký %(n)s).") % {"n": signed.seq})
    return redirect(back)


@login_required
@require_POST
def reverify(request: HttpRequest, pk: int) -> HttpResponse:
    version = get_version_for_user(request.user, pk, run=True)
    current = services.current_signed(version)
    if current is None:
        raise Http404(_("Văn bản chưa được ký số."))
    try:
        services.signed_file_reverify(signed_file=current, actor=request.user)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("Đã kiểm tra lại chữ ký số với danh sách tin cậy hiện tại."))
    return redirect("documents:version_detail", version.pk)


# --- public verification --------------------------------------------------------------------


def verify_signed(request: HttpRequest, data: bytes) -> HttpResponse:
    """The result page for a signed PDF uploaded on /verify/ (called by documents.views.verify).
    Shows only what the file itself and the public verification page already show."""
    result, version, refusal = services.verify_public(data=data, actor=request.user)
    return render(
        request,
        "signing/verify_result.html",
        {"result": result, "version": version, "refusal": refusal, "public": True},
        status=200 if result is not None and not refusal else 422,
    )


def looks_signed(data: bytes) -> bool:
    from .verify import is_signed_pdf

    return is_signed_pdf(data)


# --- settings: trust list, organizer certificate, images -----------------------------------


@login_required
def home(request: HttpRequest) -> HttpResponse:
    roles = require_office(request.user)
    organizers = (
        Organizer.objects.all()
        if roles.superuser
        else Organizer.objects.filter(pk__in=roles.organizer_ids)
    ).order_by("name")
    return render(
        request,
        "signing/home.html",
        {
            "organizers": organizers,
            "global_roots": TrustRoot.objects.filter(organizer__isnull=True, active=True),
            "can_global": roles.superuser,
            "root_form": TrustRootForm(),
        },
    )


@login_required
def organizer_settings(request: HttpRequest, pk: int) -> HttpResponse:
    organizer = _get_organizer_for_user(request, pk)
    profile = SigningProfile.objects.filter(organizer=organizer).first()
    initial = {"display_name": organizer.name, "backend": SigningProfile.Backend.PKCS11}
    if profile:
        initial = {
            "enabled": profile.enabled,
            "display_name": profile.display_name,
            "backend": profile.backend,
            "pkcs11_module": profile.pkcs11_module,
            "pkcs11_token": profile.pkcs11_token,
            "pkcs11_key": profile.pkcs11_key,
        }
    return render(
        request,
        "signing/organizer.html",
        {
            "organizer": organizer,
            "profile": profile,
            "profile_form": ProfileForm(initial=initial),
            "roots": organizer.trust_roots.filter(active=True),
            "root_form": TrustRootForm(),
            "seals": organizer.seal_images.order_by("-version")[:5],
            "seal_form": SignatureImageForm(initial={"width_mm": 36}),
        },
    )


@login_required
@require_POST
def organizer_profile(request: HttpRequest, pk: int) -> HttpResponse:
    organizer = _get_organizer_for_user(request, pk)
    form = ProfileForm(request.POST, request.FILES)
    back = reverse("signing:organizer", args=[organizer.pk])
    if not form.is_valid():
        _form_errors(request, form)
        return redirect(back)
    data = form.cleaned_data
    try:
        services.signing_profile_save(
            organizer=organizer,
            enabled=data["enabled"],
            display_name=data["display_name"],
            backend=data["backend"],
            actor=request.user,
            pkcs11_module=data.get("pkcs11_module") or "",
            pkcs11_token=data.get("pkcs11_token") or "",
            pkcs11_key=data.get("pkcs11_key") or "",
            pkcs12_data=data["pkcs12"].read() if data.get("pkcs12") else None,
            passphrase=data.get("passphrase") or "",
        )
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("Đã lưu cấu hình ký số của cơ quan."))
    return redirect(back)


@login_required
@require_POST
def organizer_seal(request: HttpRequest, pk: int) -> HttpResponse:
    organizer = _get_organizer_for_user(request, pk)
    form = SignatureImageForm(request.POST, request.FILES)
    back = reverse("signing:organizer", args=[organizer.pk])
    if not form.is_valid():
        _form_errors(request, form)
        return redirect(back)
    upload = form.cleaned_data["image"]
    if upload.size > services.MAX_IMAGE_BYTES:
        messages.error(request, _("Tệp quá lớn: tối đa 2 MB."))
        return redirect(back)
    try:
        image = services.signature_image_upload(
            kind=SignatureImage.Kind.SEAL,
            data=upload.read(),
            width_mm=form.cleaned_data["width_mm"],
            actor=request.user,
            organizer=organizer,
        )
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(
            request, _("Đã tải lên hình con dấu, phiên bản %(v)s.") % {"v": image.version}
        )
    return redirect(back)


@login_required
@require_POST
def trust_root_add(request: HttpRequest) -> HttpResponse:
    roles = require_office(request.user)
    organizer = None
    organizer_pk = request.POST.get("organizer")
    if organizer_pk:
        organizer = _get_organizer_for_user(request, organizer_pk)
        back = reverse("signing:organizer", args=[organizer.pk])
    else:
        if not roles.superuser:
            raise PermissionDenied(
                _("Chỉ quản trị hệ thống được sửa danh sách tin cậy dùng chung.")
            )
        back = reverse("signing:home")
    form = TrustRootForm(request.POST, request.FILES)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect(back)
    try:
        added = services.trust_root_add(
            organizer=organizer,
            data=form.cleaned_data["certificate"].read(services.MAX_CERT_BYTES + 1),
            label=form.cleaned_data["label"],
            actor=request.user,
        )
    except ValidationError as exc:
        apply_validation_error(form, exc)
        _form_errors(request, form)
    else:
        messages.success(
            request,
            _("Đã thêm %(n)s chứng thư vào danh sách tin cậy.") % {"n": len(added)},
        )
    return redirect(back)


@login_required
@require_POST
def trust_root_remove(request: HttpRequest, pk: int) -> HttpResponse:
    roles = require_office(request.user)
    try:
        root = TrustRoot.objects.get(pk=pk, active=True)
    except (TrustRoot.DoesNotExist, ValueError, TypeError):
        raise Http404(_("Không tìm thấy chứng thư.")) from None
    if root.organizer_id is None:
        if not roles.superuser:
            raise PermissionDenied(
                _("Chỉ quản trị hệ thống được sửa danh sách tin cậy dùng chung.")
            )
        back = reverse("signing:home")
    else:
        _get_organizer_for_user(request, root.organizer_id)
        back = reverse("signing:organizer", args=[root.organizer_id])
    try:
        services.trust_root_deactivate(root=root, actor=request.user)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("Đã gỡ chứng thư khỏi danh sách tin cậy."))
    return redirect(back)


@login_required
def my_signature(request: HttpRequest) -> HttpResponse:
    if not roles_of(request.user).any:
        raise PermissionDenied(_("Tài khoản chưa được phân quyền."))
    form = SignatureImageForm(initial={"width_mm": 40})
    if request.method == "POST":
        form = SignatureImageForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["image"]
            try:
                if upload.size > services.MAX_IMAGE_BYTES:
                    raise ValidationError({"image": _("Tệp quá lớn: tối đa 2 MB.")})
                image = services.signature_image_upload(
                    kind=SignatureImage.Kind.SIGNATURE,
                    data=upload.read(),
                    width_mm=form.cleaned_data["width_mm"],
                    actor=request.user,
                )
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(
                    request, _("Đã tải lên hình chữ ký, phiên bản %(v)s.") % {"v": image.version}
                )
                return redirect("signing:my_signature")
    images = request.user.signature_images.filter(kind=SignatureImage.Kind.SIGNATURE).order_by(
        "-version"
    )[:5]
    return render(
        request,
        "signing/my_signature.html",
        {"form": form, "images": images},
        status=200 if not form.errors else 422,
    )


@login_required
def image_file(request: HttpRequest, pk: int) -> FileResponse:
    """A signature image for its owner; a seal for its organizer's office staff."""
    try:
        image = SignatureImage.objects.get(pk=pk)
    except (SignatureImage.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if image.kind == SignatureImage.Kind.SIGNATURE:
        allowed = image.user_id == request.user.pk or request.user.is_superuser
    else:
        allowed = can_manage_organizer(request.user, image.organizer_id)
    if not allowed:
        raise Http404
    response = FileResponse(image.image.open("rb"), content_type="image/png")
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def result_of(signed_file: SignedFile) -> FileResult:
    return FileResult.from_json(signed_file.report)
