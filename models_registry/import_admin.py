"""Admin screens for importing a spreadsheet ("Nhập từ bảng tính"), under /admin/nhap-bang-tinh/.

Upload → preview (a dry run: counts and every row's problem, nothing written) → confirm → a
background task (models_registry.tasks) → the job page with its progress bar and result → the
report as XLSX or CSV. Wired in wagtail_hooks.py; every change goes through services.import_jobs,
every row through services.imports (the commands' code).
"""

import csv
import io

from django import forms
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.formats import date_format
from django.utils.translation import gettext, pgettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.decorators.http import require_POST

from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.base import ViewSet

import openpyxl
from openpyxl.styles import Font

from .formulas import neutralise
from .models import ImportJob
from .services import import_jobs
from .services.imports import MAX_ROWS, MODEL_COLUMNS, UNIT_COLUMNS

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
ALLOWED_EXTENSIONS = (".csv", ".xlsx")
ERRORS_PER_PAGE = 50
JOBS_PER_PAGE = 25
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ImportUploadForm(forms.Form):
    """The file and, for administrators, what it holds and whether to publish at once."""

    file = forms.FileField(
        label=_("Spreadsheet"),
        help_text=_("An Excel workbook (.xlsx) or a CSV file saved as UTF-8, with a header row; at most 20 MB."),
    )
    kind = forms.ChoiceField(
        label=_("The file holds"), choices=ImportJob.Kind.choices, initial=ImportJob.Kind.MODELS, required=False
    )
    publish = forms.BooleanField(
        label=_("Publish directly"),
        required=False,
        help_text=_("Publish the created and changed models at once instead of sending them for review."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if not import_jobs.is_administrator(user):
            # Officers and reviewers import models into the review workflow: nothing to choose.
            del self.fields["kind"]
            del self.fields["publish"]

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        name = (uploaded.name or "").lower()
        if not name.endswith(ALLOWED_EXTENSIONS):
            raise forms.ValidationError(gettext("Only .xlsx and .csv files can be imported."), code="extension")
        if uploaded.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                gettext(
                    "The file is %(size)s; at most %(limit)s can be imported at once. Split it into smaller files."
                )
                % {"size": filesizeformat(uploaded.size), "limit": filesizeformat(MAX_UPLOAD_BYTES)},
                code="too_large",
            )
        return uploaded


def _breadcrumbs(*items):
    return [
        {"url": reverse("wagtailadmin_home"), "label": gettext("Home")},
        {"url": reverse("spreadsheet_import:upload"), "label": gettext("Import from a spreadsheet")},
        *({"url": url, "label": label} for url, label in items),
    ]


def _get_job(request, pk: int) -> ImportJob:
    job = import_jobs.visible_import_jobs(request.user).filter(pk=pk).first()
    if job is None:
        raise Http404  # another user's import does not exist for this one
    return job


class ImportAccessMixin:
    def dispatch(self, request, *args, **kwargs):
        if not import_jobs.can_import(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class UploadView(ImportAccessMixin, View):
    """Step 1: the file. Posting it stores it and runs the check, then shows the preview."""

    template_name = "models_registry/admin/import_upload.html"

    def render(self, form, status=200):
        context = {
            "page_title": gettext("Import from a spreadsheet"),
            "header_icon": "upload",
            "breadcrumbs_items": _breadcrumbs(),
            "form": form,
            "is_administrator": import_jobs.is_administrator(self.request.user),
            "recent_jobs": import_jobs.visible_import_jobs(self.request.user)[:5],
            "max_rows": MAX_ROWS,
        }
        return TemplateResponse(self.request, self.template_name, context, status=status)

    def get(self, request):
        return self.render(ImportUploadForm(user=request.user))

    def post(self, request):
        form = ImportUploadForm(request.POST, request.FILES, user=request.user)
        if not form.is_valid():
            return self.render(form, status=400)
        job = import_jobs.create_import_job(
            user=request.user,
            uploaded_file=form.cleaned_data["file"],
            kind=form.cleaned_data.get("kind") or ImportJob.Kind.MODELS,
            publish=bool(form.cleaned_data.get("publish")),
        )
        return redirect("spreadsheet_import:detail", pk=job.pk)


class JobListView(ImportAccessMixin, View):
    """Past imports, newest first: the user's own, or everyone's for an administrator."""

    template_name = "models_registry/admin/import_list.html"

    def get(self, request):
        paginator = Paginator(import_jobs.visible_import_jobs(request.user), JOBS_PER_PAGE)
        page = paginator.get_page(request.GET.get("p"))
        context = {
            "page_title": gettext("Past imports"),
            "header_icon": "list-ul",
            "breadcrumbs_items": _breadcrumbs(("", gettext("Past imports"))),
            "page_obj": page,
            "show_user": import_jobs.is_administrator(request.user),
        }
        return TemplateResponse(request, self.template_name, context)


class JobDetailView(ImportAccessMixin, View):
    """The preview before confirmation, the progress bar while it runs, the result afterwards."""

    template_name = "models_registry/admin/import_job.html"

    def get(self, request, pk: int):
        job = _get_job(request, pk)
        paginator = Paginator(job.errors, ERRORS_PER_PAGE)
        errors_page = paginator.get_page(request.GET.get("p"))
        context = {
            "page_title": job.original_filename,
            "header_icon": "upload",
            "breadcrumbs_items": _breadcrumbs(("", job.original_filename)),
            "job": job,
            "errors_page": errors_page,
            "can_confirm": import_jobs.can_confirm(job=job, user=request.user),
            "is_running": job.status in (ImportJob.Status.QUEUED, ImportJob.Status.RUNNING),
            "changes": job.created_count + job.updated_count,
            "submits_for_review": job.user is not None and not import_jobs.is_administrator(job.user),
        }
        response = TemplateResponse(request, self.template_name, context)
        patch_cache_control(response, private=True, no_store=True)
        return response


@require_POST
def confirm_view(request, pk: int):
    if not import_jobs.can_import(request.user):
        raise PermissionDenied
    job = _get_job(request, pk)
    if not import_jobs.can_confirm(job=job, user=request.user):
        # Confirmed twice, or a file with errors: the job page says where it stands.
        return redirect("spreadsheet_import:detail", pk=job.pk)
    import_jobs.confirm_import_job(job=job, user=request.user)
    return redirect("spreadsheet_import:detail", pk=job.pk)


def status_view(request, pk: int):
    """The job's state for the progress bar (import_progress.js polls it)."""
    if not import_jobs.can_import(request.user):
        raise PermissionDenied
    job = _get_job(request, pk)
    response = JsonResponse(
        {
            "status": job.status,
            "status_label": job.get_status_display(),
            "rows_done": job.rows_done,
            "rows_total": job.rows_total,
            "percent": job.percent_done,
            "finished": job.is_finished,
        }
    )
    patch_cache_control(response, private=True, no_store=True)
    return response


def _summary_rows(job: ImportJob) -> list[tuple[str, object]]:
    finished = timezone.localtime(job.finished_at) if job.finished_at else None
    return [
        (pgettext("import", "File"), job.original_filename),
        (pgettext("import", "Uploaded by"), job.user.get_username() if job.user else ""),
        (pgettext("import", "Uploaded at"), date_format(timezone.localtime(job.created_at), "d/m/Y H:i")),
        (pgettext("import", "Finished at"), date_format(finished, "d/m/Y H:i") if finished else ""),
        (pgettext("import", "Status"), job.get_status_display()),
        (pgettext("import", "Rows"), job.rows_total),
        (pgettext("import", "Created"), job.created_count),
        (pgettext("import", "Updated"), job.updated_count),
        (pgettext("import", "Unchanged"), job.unchanged_count),
        (pgettext("import", "Refused"), job.refused_count),
    ]


def _error_header() -> list[str]:
    return [pgettext("import", "Row"), pgettext("import", "Column"), pgettext("import", "Reason")]


def _error_rows(job: ImportJob):
    for error in job.errors:
        yield [error.get("row") or "", error.get("column") or "", error.get("message") or ""]


def report_view(request, pk: int, extension: str):
    """The report of an import, as XLSX or CSV: the counts, then every row's problem."""
    if not import_jobs.can_import(request.user):
        raise PermissionDenied
    if extension not in ("csv", "xlsx"):
        raise Http404
    job = _get_job(request, pk)
    filename = f"bao-cao-nhap-{job.pk}.{extension}"
    if extension == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        for label, value in _summary_rows(job):
            writer.writerow([neutralise(label), neutralise(value)])
        writer.writerow([])
        writer.writerow(_error_header())
        for row in _error_rows(job):
            writer.writerow([neutralise(value) for value in row])
        # With a byte order mark Excel reads the Vietnamese letters as UTF-8.
        response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    else:
        workbook = openpyxl.Workbook(write_only=True)
        summary = workbook.create_sheet(pgettext("import", "Summary"))
        for label, value in _summary_rows(job):
            summary.append([neutralise(label), neutralise(value)])
        errors = workbook.create_sheet(pgettext("import", "Row errors"))
        errors.append(_error_header())
        for row in _error_rows(job):
            errors.append([neutralise(value) for value in row])
        buffer = io.BytesIO()
        workbook.save(buffer)
        response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    patch_cache_control(response, private=True, no_store=True)
    return response


def template_view(request, kind: str, extension: str):
    """An empty file with the Vietnamese headers of the import, to fill in."""
    if not import_jobs.can_import(request.user):
        raise PermissionDenied
    if extension not in ("csv", "xlsx") or kind not in ("mo-hinh", "don-vi"):
        raise Http404
    columns = UNIT_COLUMNS if kind == "don-vi" else MODEL_COLUMNS
    headers = [column.label for column in columns]
    filename = f"mau-nhap-{kind}.{extension}"
    if extension == "csv":
        buffer = io.StringIO()
        csv.writer(buffer).writerow(headers)
        response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    else:
        workbook = openpyxl.Workbook()
        sheet = workbook.active
        sheet.title = gettext("Models") if kind != "don-vi" else gettext("Units")
        sheet.append(headers)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for index, header in enumerate(headers):
            sheet.column_dimensions[openpyxl.utils.get_column_letter(index + 1)].width = max(14, len(header) + 4)
        buffer = io.BytesIO()
        workbook.save(buffer)
        response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class ImportMenuItem(MenuItem):
    def is_shown(self, request):
        return import_jobs.can_import(request.user)


class SpreadsheetImportViewSet(ViewSet):
    """The import screens, in the registry's menu as "Nhập từ bảng tính"."""

    name = "spreadsheet_import"
    url_prefix = "nhap-bang-tinh"
    icon = "upload"
    menu_label = pgettext_lazy("admin menu", "Import from a spreadsheet")
    menu_name = "spreadsheet-import"
    menu_item_class = ImportMenuItem

    def get_urlpatterns(self):
        return [
            path("", UploadView.as_view(), name="upload"),
            path("lich-su/", JobListView.as_view(), name="list"),
            path("<int:pk>/", JobDetailView.as_view(), name="detail"),
            path("<int:pk>/xac-nhan/", confirm_view, name="confirm"),
            path("<int:pk>/trang-thai/", status_view, name="status"),
            path("<int:pk>/bao-cao.<str:extension>", report_view, name="report"),
            path("mau-<slug:kind>.<str:extension>", template_view, name="template"),
        ]
