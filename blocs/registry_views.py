"""Upload and download of the registry file (XLSX or CSV)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .access import managed_organizers, require_office
from .registry import ImportFileError, export_csv, export_xlsx, import_registry


class RegistryImportForm(forms.Form):
    organizer = forms.ModelChoiceField(label=gettext_lazy("Cơ quan tổ chức"), queryset=None)
    file = forms.FileField(
        label=gettext_lazy("Tệp danh mục (.xlsx hoặc .csv)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )

    def __init__(self, *args, organizers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organizer"].queryset = organizers
        if organizers.count() == 1:
            self.fields["organizer"].initial = organizers.first().pk

    def clean_file(self):
        upload = self.cleaned_data["file"]
        name = upload.name.lower()
        if not (name.endswith(".xlsx") or name.endswith(".csv")):
            raise forms.ValidationError(_("Chỉ nhận tệp .xlsx hoặc .csv."))
        if upload.size > settings.MAX_IMPORT_BYTES:
            raise forms.ValidationError(
                _("Tệp quá lớn (tối đa %(mb)s MB).")
                % {"mb": settings.MAX_IMPORT_BYTES // (1024 * 1024)}
            )
        return upload


@login_required
def registry_import(request: HttpRequest) -> HttpResponse:
    require_office(request.user)
    organizers = managed_organizers(request.user)
    form = RegistryImportForm(request.POST or None, request.FILES or None, organizers=organizers)
    result = None
    file_error = None
    done_message = None
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                result = import_registry(
                    organizer=form.cleaned_data["organizer"],
                    filename=upload.name,
                    data=upload.read(),
                    actor=request.user,
                )
            except ImportFileError as exc:
                file_error = str(exc)
            else:
                if result.ok:
                    done_message = (
                        _("Đã nhập %(rows)s dòng: %(changes)s thay đổi.")
                        % {"rows": result.rows, "changes": result.changes}
                        if result.changes
                        else _("Đã đọc %(rows)s dòng: danh mục đã khớp, không có gì thay đổi.")
                        % {"rows": result.rows}
                    )
                    if request.htmx:  # the result shows where the import was started
                        status, form = 200, RegistryImportForm(organizers=organizers)
                    else:
                        messages.success(request, done_message)
                        return redirect("blocs:registry_import")
    template = "blocs/registry_import.html#panel" if request.htmx else "blocs/registry_import.html"
    return render(
        request,
        template,
        {
            "form": form,
            "result": result,
            "file_error": file_error,
            "organizers": organizers,
            "done_message": done_message,
        },
        status=status,
    )


@login_required
def registry_export(request: HttpRequest, fmt: str) -> HttpResponse:
    require_office(request.user)
    organizers = managed_organizers(request.user)
    wanted = request.GET.get("organizer")
    if wanted:
        organizers = organizers.filter(pk=wanted) if wanted.isdigit() else organizers.none()
        if not organizers.exists():
            raise Http404(_("Không tìm thấy cơ quan tổ chức."))
    ids = list(organizers.values_list("pk", flat=True))
    stamp = timezone.localdate().strftime("%Y%m%d")
    if fmt == "csv":
        response = HttpResponse(export_csv(ids), content_type="text/csv; charset=utf-8")
    elif fmt == "xlsx":
        response = HttpResponse(
            export_xlsx(ids),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        raise Http404(_("Định dạng không hỗ trợ."))
    response["Content-Disposition"] = f'attachment; filename="danh-muc-khoi-thi-dua-{stamp}.{fmt}"'
    return response
