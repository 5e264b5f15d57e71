"""Admin forms for commendations: one record, and the nomination list with its decision.

Both run the award service's checks in `clean()` (services.commendations.award_problems), so a
refusal shows on the form, in Vietnamese, next to the field it concerns, before anything is saved.
"""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.widgets import AdminDateInput
from wagtail.documents import get_document_model
from wagtail.documents.forms import get_document_form
from wagtail.models import Collection

from movements.models import MovementPage
from search.text import fold

from .models import FIRST_YEAR, CommendationForm, PracticeModel, RecognitionLevel, Unit, last_allowed_year
from .services import commendations as commendation_services

MAX_CHECKLIST = 300  # models listed at once in the nomination checklist; filters narrow the rest


def _decision_from(cleaned_data: dict) -> commendation_services.Decision | None:
    required = ("form", "level", "decision_number", "decision_date", "issuing_body")
    if any(not cleaned_data.get(name) for name in required):
        return None  # the missing field already has its own error
    return commendation_services.Decision(
        form=cleaned_data["form"],
        level=cleaned_data["level"],
        decision_number=cleaned_data["decision_number"],
        decision_date=cleaned_data["decision_date"],
        issuing_body=cleaned_data["issuing_body"],
        title=cleaned_data.get("title") or "",
    )


class CommendationAdminForm(WagtailAdminModelForm):
    """One commendation in the admin: a published model of the reviewer's units, checked like a list of one."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = getattr(self, "for_user", None)
        if user is not None and "practice_model" in self.fields:
            allowed = commendation_services.commendable_models(user)
            if self.instance.practice_model_id:
                # Editing keeps the model as it is, even if it has since been unpublished.
                allowed = allowed | PracticeModel.objects.filter(pk=self.instance.practice_model_id)
            self.fields["practice_model"].queryset = allowed
            self.fields["practice_model"].error_messages["invalid_choice"] = _(
                "Choose a published model of a unit you review."
            )

    def clean(self):
        cleaned_data = super().clean()
        for name in ("decision_number", "issuing_body", "title"):
            if cleaned_data.get(name):
                cleaned_data[name] = commendation_services.clean_text(cleaned_data[name])
                setattr(self.instance, name, cleaned_data[name])
        decision = _decision_from(cleaned_data)
        practice_model = cleaned_data.get("practice_model")
        user = getattr(self, "for_user", None)
        if decision is None or practice_model is None or user is None:
            return cleaned_data
        unchanged = self.instance.pk and practice_model.pk == self.instance.practice_model_id
        if unchanged and not practice_model.live:
            # Correcting a typo in the decision of a model unpublished since is still allowed.
            problems, _existing = commendation_services.decision_problems(
                decision.cleaned(), exclude_pk=self.instance.pk
            )
        else:
            problems = commendation_services.award_problems(
                user=user, practice_models=[practice_model], decision=decision, exclude_pk=self.instance.pk
            )
        for problem in problems:
            self.add_error(problem.field if problem.field in self.fields else None, problem.message)
        return cleaned_data


class NominationFilterForm(forms.Form):
    """Which published models of the reviewer's scope the nomination checklist lists."""

    movement = forms.ModelChoiceField(
        label=_("Movement"), queryset=MovementPage.objects.none(), required=False, empty_label=_("All movements")
    )
    year = forms.IntegerField(label=_("Year"), required=False)
    unit = forms.ModelChoiceField(
        label=_("Unit"), queryset=Unit.objects.none(), required=False, empty_label=_("All units you review")
    )
    q = forms.CharField(label=_("Title or code"), required=False, max_length=200)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["movement"].queryset = MovementPage.objects.live().order_by("path")
        self.fields["unit"].queryset = self._units()
        self.fields["unit"].label_from_instance = lambda unit: f"{'— ' * (unit.depth - 1)}{unit.name}"
        self.fields["year"].error_messages["invalid"] = gettext("Enter a year between %(first)s and %(last)s.") % {
            "first": FIRST_YEAR,
            "last": last_allowed_year(),
        }

    def clean_year(self):
        year = self.cleaned_data.get("year")
        if year is not None and not FIRST_YEAR <= year <= last_allowed_year():
            raise ValidationError(self.fields["year"].error_messages["invalid"])
        return year

    def _units(self):
        """The units whose models the user commends, down to two levels below each of their reviewer units."""
        from . import permissions

        if permissions.is_unscoped(self.user):
            return Unit.objects.filter(depth__lte=3)
        query = Unit.objects.none()
        for membership in permissions.memberships(self.user):
            if membership.role == membership.Role.REVIEWER:
                unit = membership.unit
                query = query | Unit.objects.filter(path__startswith=unit.path, depth__lte=unit.depth + 2)
        return query

    def filter(self, queryset):
        if not self.is_bound or not self.is_valid():
            return queryset
        data = self.cleaned_data
        if data.get("movement"):
            queryset = queryset.filter(movement=data["movement"])
        if data.get("year"):
            queryset = queryset.filter(year=data["year"])
        if data.get("unit"):
            queryset = queryset.filter(unit__path__startswith=data["unit"].path)
        for word in fold(data.get("q") or "").split():
            queryset = queryset.filter(search_text__contains=word)
        return queryset


class ModelIdsField(forms.Field):
    """Practice model ids as ticked in the checklist, in the order listed; every existing id is accepted.

    Which of them may be commended is the award service's question, answered row by row with the
    model named, rather than Django's anonymous "not one of the available choices".
    """

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        if not value:
            return []
        if isinstance(value, str):
            value = [value]
        ids = []
        for item in value:
            item = str(item).strip()
            if not (item.isascii() and item.isdigit()):
                raise ValidationError(gettext("“%(value)s” is not a model number.") % {"value": item[:20]})
            ids.append(int(item))
        return ids

    def validate(self, value):
        if self.required and not value:
            raise ValidationError(gettext("Choose at least one model to commend."), code="required")
        if len(value) > commendation_services.MAX_NOMINATIONS:
            raise ValidationError(
                gettext("A list may name at most %(max)s models; split the decision into several lists.")
                % {"max": commendation_services.MAX_NOMINATIONS}
            )

    def clean(self, value):
        ids = super().clean(value)
        found = PracticeModel.objects.select_related("unit", "movement").in_bulk(ids)
        missing = [pk for pk in ids if pk not in found]
        if missing:
            raise ValidationError(gettext("There is no model with the number %(id)s.") % {"id": missing[0]})
        return [found[pk] for pk in ids]


class BulkAwardForm(forms.Form):
    """The nomination list and its decision, filled once; the scanned decision is uploaded at confirmation."""

    practice_models = ModelIdsField(label=_("Models to commend"))
    form = forms.ChoiceField(label=_("Form"), choices=CommendationForm.choices)
    level = forms.ChoiceField(label=_("Level"), choices=RecognitionLevel.choices)
    title = forms.CharField(
        label=_("Title awarded"),
        required=False,
        max_length=255,
        help_text=_('For example "Mô hình Dân vận khéo tiêu biểu cấp thành phố năm 2023".'),
    )
    decision_number = forms.CharField(
        label=_("Decision number"), max_length=100, help_text=_("For example 123/QĐ-UBND.")
    )
    decision_date = forms.DateField(label=_("Decision date"), widget=AdminDateInput)
    issuing_body = forms.CharField(label=_("Issuing body"), max_length=255)
    decision_file = forms.FileField(
        label=_("Scanned decision"),
        required=False,
        help_text=_(
            "A PDF or an office document. Leave empty if the decision has no scan yet; "
            "a decision already on record keeps its scan."
        ),
    )

    def __init__(self, *args, user, with_file: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.with_file = with_file
        if not with_file:
            del self.fields["decision_file"]
        self.document = None
        date_message = gettext("Enter the date as dd/mm/yyyy, for example 15/12/2023.")
        self.fields["decision_date"].error_messages["invalid"] = date_message

    def clean_decision_date(self):
        value = self.cleaned_data.get("decision_date")
        if value is not None and value < datetime.date(FIRST_YEAR, 1, 1):
            raise ValidationError(gettext("The decision date cannot be before %(year)s.") % {"year": FIRST_YEAR})
        return value

    def _clean_document(self):
        upload = self.cleaned_data.get("decision_file")
        if not upload:
            return
        Document = get_document_model()
        DocumentForm = get_document_form(Document, fields=["title", "file"])
        title = gettext("Decision %(number)s") % {"number": self.cleaned_data.get("decision_number") or upload.name}
        document_form = DocumentForm(
            data={"title": title[:255], "collection": Collection.get_first_root_node().pk},
            files={"file": upload},
            user=self.user,
            instance=Document(uploaded_by_user=self.user),
        )
        if not document_form.is_valid():
            for errors in document_form.errors.values():
                for error in errors:
                    self.add_error("decision_file", error)
            return
        self.document = document_form.save(commit=False)

    def clean(self):
        cleaned_data = super().clean()
        for name in ("decision_number", "issuing_body", "title"):
            if cleaned_data.get(name):
                cleaned_data[name] = commendation_services.clean_text(cleaned_data[name])
        if self.with_file:
            self._clean_document()
        decision = _decision_from(cleaned_data)
        practice_models = cleaned_data.get("practice_models")
        if decision is None or not practice_models:
            return cleaned_data
        problems = commendation_services.award_problems(
            user=self.user, practice_models=practice_models, decision=decision
        )
        for problem in problems:
            self.add_error(problem.field if problem.field in self.fields else None, problem.message)
        return cleaned_data

    def award(self):
        """Record the decision for every listed model (the service checks everything again, atomically)."""
        data = self.cleaned_data
        return commendation_services.award_commendations(
            user=self.user,
            practice_models=data["practice_models"],
            form=data["form"],
            level=data["level"],
            decision_number=data["decision_number"],
            decision_date=data["decision_date"],
            issuing_body=data["issuing_body"],
            title=data.get("title") or "",
            decision_document=self.document,
        )
