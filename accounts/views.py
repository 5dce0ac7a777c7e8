"""Account management for office staff, and the public invitation link."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from blocs.access import managed_organizers, require_office
from blocs.models import AuditEvent, RoleAssignment
from blocs.registry import ImportFileError, read_table
from blocs.services import audit as audit_record
from khoithidua.lib.clientip import client_ip
from khoithidua.lib.views import apply_validation_error, done, form_page

from . import loginnotice, services
from .access import get_account_for_user, manageable_blocs, manageable_units, managed_users
from .forms import AccountCreateForm, AccountEditForm, AccountImportForm, RoleGrantForm
from .models import Invitation
from .registry import COLUMNS, AccountImportError, import_accounts

User = get_user_model()
PAGE_SIZE = 50
INVITATION_SESSION_KEY = "_invitation"


def base_url(request: HttpRequest) -> str:
    return getattr(settings, "SITE_URL", "") or request.build_absolute_uri("/")


def _with_roles(qs):
    return qs.prefetch_related(
        Prefetch(
            "role_assignments",
            queryset=RoleAssignment.objects.select_related("bloc", "unit").order_by("role", "id"),
        ),
        Prefetch(
            "invitations",
            queryset=Invitation.objects.order_by("-created_at", "-id"),
            to_attr="invitation_list",
        ),
    )


@login_required
def user_list(request: HttpRequest) -> HttpResponse:
    require_office(request.user)
    q = request.GET.get("q", "").strip()[:100]
    role = request.GET.get("role", "")
    status = request.GET.get("status", "")
    users = managed_users(request.user)
    if q:
        users = users.filter(
            Q(username__icontains=q)
            | Q(first_name__icontains=q)
            | Q(last_name__icontains=q)
            | Q(email__icontains=q)
            | Q(role_assignments__unit__name__icontains=q)
            | Q(role_assignments__bloc__name__icontains=q)
        ).distinct()
    if role in (RoleAssignment.Role.SECRETARY, RoleAssignment.Role.DELEGATE):
        users = users.filter(role_assignments__role=role).distinct()
    if status == "active":
        users = users.filter(is_active=True)
    elif status == "locked":
        users = users.filter(is_active=False)
    elif status == "waiting":
        users = users.filter(is_active=True, last_login__isnull=True)
    page = Paginator(_with_roles(users.order_by("username")), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    for user in page.object_list:
        user.invitation = user.invitation_list[0] if user.invitation_list else None
    context = {"page": page, "q": q, "role": role, "status": status}
    template = "accounts/user_list.html#results" if request.htmx else "accounts/user_list.html"
    return render(request, template, context)


@login_required
def user_create(request: HttpRequest) -> HttpResponse:
    require_office(request.user)
    initial = {"role": request.GET.get("role") or RoleAssignment.Role.DELEGATE, "invite": True}
    if (unit := request.GET.get("unit", "")).isdigit():
        initial["unit"] = int(unit)
    form = AccountCreateForm(
        request.POST or None,
        blocs=manageable_blocs(request.user),
        units=manageable_units(request.user),
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        try:
            user = services.account_create(
                actor=request.user, base_url=base_url(request), **form.cleaned_data
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            message = (
                _("Đã tạo tài khoản %(u)s và gửi thư mời tới %(e)s.")
                if form.cleaned_data["invite"]
                else _("Đã tạo tài khoản %(u)s (chưa gửi thư mời).")
            ) % {"u": user.username, "e": user.email}
            return done(request, reverse("accounts:user_detail", args=[user.pk]), message)
    return form_page(
        request,
        {
            "form": form,
            "title": _("Thêm tài khoản thư ký, đại biểu"),
            "intro": _(
                "Tài khoản mới chưa có mật khẩu: người dùng tự đặt qua liên kết trong thư mời."
            ),
            "action": reverse("accounts:user_create"),
            "cancel": reverse("accounts:user_list"),
        },
        status=422 if form.is_bound else 200,
    )


@login_required
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_office(request.user)
    user = get_account_for_user(request.user, pk)
    user = _with_roles(User.objects.filter(pk=user.pk)).get()
    audit = (
        AuditEvent.objects.filter(object_type="auth.user", object_id=str(user.pk))
        .select_related("actor")
        .order_by("-at", "-id")[:50]
    )
    grant_form = RoleGrantForm(
        blocs=manageable_blocs(request.user),
        units=manageable_units(request.user),
        initial={"role": RoleAssignment.Role.DELEGATE},
    )
    assignments = list(user.role_assignments.all())
    for a in assignments:
        a.label = services.role_label(a)
    return render(
        request,
        "accounts/user_detail.html",
        {
            "account": user,
            "assignments": assignments,
            "invitation": user.invitation_list[0] if user.invitation_list else None,
            "audit": list(audit),
            "grant_form": grant_form,
        },
    )


@login_required
def user_edit(request: HttpRequest, pk: int) -> HttpResponse:
    require_office(request.user)
    user = get_account_for_user(request.user, pk, change=True)
    form = AccountEditForm(
        request.POST or None,
        initial={"full_name": services.full_name_of(user), "email": user.email},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.account_update(actor=request.user, user=user, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            return done(
                request, reverse("accounts:user_detail", args=[user.pk]), _("Đã lưu tài khoản.")
            )
    return form_page(
        request,
        {
            "form": form,
            "title": _("Sửa tài khoản %(u)s") % {"u": user.username},
            "action": reverse("accounts:user_edit", args=[user.pk]),
            "cancel": reverse("accounts:user_detail", args=[user.pk]),
        },
        status=422 if form.is_bound else 200,
    )


def _act(request: HttpRequest, pk: int, action, message: str) -> HttpResponse:
    require_office(request.user)
    user = get_account_for_user(request.user, pk, change=True)
    url = reverse("accounts:user_detail", args=[user.pk])
    try:
        action(user)
    except ValidationError as exc:
        for msg in exc.messages:
            messages.error(request, msg)
        return done(request, url)
    return done(request, url, message)


@login_required
@require_POST
def user_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        lambda u: services.account_deactivate(actor=request.user, user=u),
        _("Đã khoá tài khoản: không đăng nhập được nữa."),
    )


@login_required
@require_POST
def user_activate(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        lambda u: services.account_activate(actor=request.user, user=u),
        _("Đã mở khoá tài khoản."),
    )


@login_required
@require_POST
def user_invite(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        lambda u: services.invitation_create(
            actor=request.user, user=u, base_url=base_url(request)
        ),
        _("Đã gửi thư mời mới; liên kết cũ hết hiệu lực."),
    )


@login_required
@require_POST
def role_grant(request: HttpRequest, pk: int) -> HttpResponse:
    require_office(request.user)
    user = get_account_for_user(request.user, pk, change=True)
    form = RoleGrantForm(
        request.POST, blocs=manageable_blocs(request.user), units=manageable_units(request.user)
    )
    url = reverse("accounts:user_detail", args=[user.pk])
    if form.is_valid():
        try:
            services.account_role_grant(actor=request.user, user=user, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            return done(request, url + "#roles", _("Đã thêm vai trò."))
    for errors in form.errors.values():
        for e in errors:
            messages.error(request, e)
    return done(request, url + "#roles")


@login_required
@require_POST
def role_revoke(request: HttpRequest, pk: int, role_pk: int) -> HttpResponse:
    require_office(request.user)
    user = get_account_for_user(request.user, pk, change=True)
    assignment = user.role_assignments.select_related("bloc", "unit").filter(pk=role_pk).first()
    if assignment is None:
        raise Http404(_("Không tìm thấy vai trò."))
    url = reverse("accounts:user_detail", args=[user.pk]) + "#roles"
    try:
        services.account_role_revoke(actor=request.user, assignment=assignment)
    except ValidationError as exc:
        for msg in exc.messages:
            messages.error(request, msg)
        return done(request, url)
    return done(request, url, _("Đã bỏ vai trò."))


@login_required
def account_import(request: HttpRequest) -> HttpResponse:
    require_office(request.user)
    organizers = managed_organizers(request.user)
    form = AccountImportForm(request.POST or None, request.FILES or None, organizers=organizers)
    result, file_error, status = None, None, 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                rows = read_table(upload.name, upload.read())
                result = import_accounts(
                    organizer=form.cleaned_data["organizer"],
                    rows=rows,
                    actor=request.user,
                    base_url=base_url(request),
                )
            except (ImportFileError, AccountImportError) as exc:
                file_error = str(exc)
            except ValidationError as exc:
                file_error = " ".join(exc.messages)
            else:
                if result.ok:
                    status = 200
                    form = AccountImportForm(organizers=organizers)
    context = {
        "form": form,
        "result": result,
        "file_error": file_error,
        "columns": COLUMNS,
    }
    template = (
        "accounts/account_import.html#panel" if request.htmx else "accounts/account_import.html"
    )
    return render(request, template, context, status=status)


# --- the invitation link (no login: the link is the credential) ------------------------------


@never_cache
def invitation(request: HttpRequest, pk: int, token: str) -> HttpResponse:
    """Check the link, keep it in the session and drop it from the URL (no Referer leak)."""
    try:
        services.invitation_check(pk, token)
    except services.InvitationInvalid as exc:
        return render(request, "accounts/invitation_invalid.html", {"reason": str(exc)}, status=404)
    request.session[INVITATION_SESSION_KEY] = {"pk": pk, "token": token}
    return redirect("accounts:invitation_password", pk=pk)


@never_cache
@sensitive_post_parameters("new_password1", "new_password2")
def invitation_password(request: HttpRequest, pk: int) -> HttpResponse:
    stored = request.session.get(INVITATION_SESSION_KEY) or {}
    token = stored.get("token", "") if stored.get("pk") == pk else ""
    try:
        inv = services.invitation_check(pk, token)
    except services.InvitationInvalid as exc:
        return render(request, "accounts/invitation_invalid.html", {"reason": str(exc)}, status=404)
    form = SetPasswordForm(inv.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.invitation_accept(
                pk=pk, token=token, password=form.cleaned_data["new_password1"]
            )
        except services.InvitationInvalid as exc:
            return render(
                request, "accounts/invitation_invalid.html", {"reason": str(exc)}, status=404
            )
        request.session.pop(INVITATION_SESSION_KEY, None)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(
            request, _("Đã đặt mật khẩu. Chào mừng %(n)s!") % {"n": services.full_name_of(user)}
        )
        return redirect("dashboard")
    return render(
        request,
        "accounts/invitation_password.html",
        {"form": form, "account": inv.user, "invitation": inv},
        status=422 if form.is_bound else 200,
    )


# --- password change (signed in) and password reset by email -------------------------------
# Django's own views and forms (rate of reset mails: one per address per PASSWORD_RESET_TIMEOUT
# is Django's token rule; the mail leaves through the default mailer, the SMTP backend).


class PasswordChangeView(auth_views.PasswordChangeView):
    """The account page: change the password; shows this session's failed-login notice."""

    template_name = "registration/password_change_form.html"
    success_url = reverse_lazy("accounts:password_change_done")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["login_failures_notice"] = loginnotice.notice_for_session(self.request)
        return context

    def form_valid(self, form):
        response = super().form_valid(form)
        audit_record(
            actor=self.request.user,
            action="account.password_change",
            obj=self.request.user,
            summary=_("%(u)s đổi mật khẩu") % {"u": self.request.user.username},
        )
        return response


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "registration/password_done.html"
    extra_context = {"done_title": gettext_lazy("Đã đổi mật khẩu")}


RESET_PER_ADDRESS = 3  # mails per address per hour: a stranger cannot flood someone's mailbox
RESET_PER_CLIENT = 10  # requests per client address per hour
RESET_WINDOW_SECONDS = 3600


def _reset_count(key: str) -> int:
    """Count one request in the shared cache (atomic INCR; the first one sets the window)."""
    if cache.add(key, 1, RESET_WINDOW_SECONDS):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, RESET_WINDOW_SECONDS)
        return 1


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "registration/password_reset_form.html"
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form):
        ip = client_ip(self.request)
        if _reset_count(f"pwreset:client:{hashlib.sha256(ip.encode()).hexdigest()[:40]}") > (
            RESET_PER_CLIENT
        ):
            form.add_error(
                None,
                _("Đã có quá nhiều yêu cầu đặt lại mật khẩu từ máy này; hãy thử lại sau một giờ."),
            )
            return self.render_to_response(self.get_context_data(form=form), status=429)
        address = form.cleaned_data["email"].strip().casefold()
        digest = hashlib.sha256(address.encode()).hexdigest()[:40]
        if _reset_count(f"pwreset:address:{digest}") > RESET_PER_ADDRESS:
            # The same answer as for a sent mail: whether the address exists stays unknown.
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "registration/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "registration/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        audit_record(
            actor=self.user,
            action="account.password_reset",
            obj=self.user,
            summary=_("%(u)s đặt lại mật khẩu qua thư") % {"u": self.user.username},
        )
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "registration/password_done.html"
    extra_context = {"done_title": gettext_lazy("Đã đặt lại mật khẩu"), "show_login": True}
