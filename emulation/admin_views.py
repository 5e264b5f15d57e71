"""The emulation screens of the admin: registering models, scoring and nominating, the commendation
report, the yearly activity check, and the cycle editor's save through the service.

Each view parses the request with a form, calls one service or selector, and renders; a refusal from
a service (a closed window, a score out of range) is shown on the form, never as an error page.
"""

from django.contrib.admin.utils import quote
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.generic import TemplateView

from wagtail.admin import messages
from wagtail.admin.views.generic import CreateView, EditView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from models_registry import permissions
from models_registry.models import UnitMembership
from search.text import fold

from . import reports, selectors, services
from .forms import (
    MAX_ID,
    ActivityCheckForm,
    ActivityYearForm,
    CandidateFilterForm,
    NominationForm,
    RegistrationForm,
    ReportForm,
    ScoreForm,
)
from .models import Cycle, Evaluation, Registration, Score

# At most this many models are offered for registration at once; the search narrows the rest.
CANDIDATE_LIMIT = 100
PER_PAGE = 50


def _int(value) -> int | None:
    """A database id from the request, or None: never a number the database would overflow on."""
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        return None
    return number if 0 < number <= MAX_ID else None


def _add_errors(form, error: ValidationError) -> None:
    """Show a service's refusal on the form: field errors beside their field, the rest above the form."""
    if hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages_)
    else:
        form.add_error(None, error.messages)


def _refusal_text(error: ValidationError | PermissionDenied) -> str:
    """A service's refusal as one line for a message above the screen."""
    return " ".join(error.messages) if isinstance(error, ValidationError) else str(error)


def _page(request, items, per_page=PER_PAGE):
    paginator = Paginator(items, per_page)
    page = paginator.get_page(request.GET.get("p"))
    return page, list(paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))


class EmulationScreen(WagtailAdminTemplateMixin, TemplateView):
    """An admin screen shown to the users `allowed` says may use it (the menu hides it from the others)."""

    header_icon = "tasks"

    @staticmethod
    def allowed(user) -> bool:
        return False

    def dispatch(self, request, *args, **kwargs):
        if not self.allowed(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]


# --- Registration ------------------------------------------------------------------------------


class RegistrationView(EmulationScreen):
    """The officer's screen: the cycles and their windows, and the form registering models to an open one."""

    template_name = "emulation/admin/registration.html"
    page_title = gettext_lazy("Register models to a cycle")

    @staticmethod
    def allowed(user) -> bool:
        return selectors.is_officer(user)

    def get_cycle(self, cycles, value):
        chosen = _int(value)
        if chosen is not None:
            return next((cycle for cycle in cycles if cycle.pk == chosen), None)
        today = selectors.today()
        return next(
            (cycle for cycle in cycles if cycle.registration_state(today) == Cycle.RegistrationState.OPEN), None
        )

    def get_context_data(self, *, cycle=None, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        today = selectors.today()
        cycles = selectors.cycles_for_registration(on=today)
        if cycle is None:
            cycle = self.get_cycle(cycles, self.request.GET.get("cycle"))
        context.update(
            today=today,
            cycles=[(item, item.registration_state(today)) for item in cycles],
            cycle=cycle,
            filter_form=CandidateFilterForm(self.request.GET or None),
        )
        if cycle is None:
            return context
        context["state"] = cycle.registration_state(today)
        context["form"] = form  # a refused registration shows why, whatever the window's state
        # Scored or nominated evaluations keep their registration (see services.withdraw_registration): the
        # screen offers to withdraw only the others, and only while the window is open.
        context["registrations"] = list(selectors.registrations_for(user=self.request.user, cycle=cycle))
        if context["state"] == Cycle.RegistrationState.OPEN:
            candidates = selectors.registrable_models(user=self.request.user, cycle=cycle).order_by(
                "unit__path", "title"
            )
            filter_form = context["filter_form"]
            if filter_form.is_valid() and filter_form.cleaned_data["q"]:
                for word in fold(filter_form.cleaned_data["q"]).split():
                    candidates = candidates.filter(search_text__contains=word)
            context["candidate_count"] = candidates.count()
            context["candidates"] = list(candidates[:CANDIDATE_LIMIT])
            context["form"] = form or RegistrationForm(candidates=candidates)
            chosen = form["practice_models"].value() if form is not None else []
            context["chosen"] = {str(value) for value in chosen or []}
        return context

    def post(self, request, *args, **kwargs):
        cycle = get_object_or_404(Cycle.objects.select_related("movement"), pk=_int(request.POST.get("cycle")))
        form = RegistrationForm(request.POST, candidates=selectors.registrable_models(user=request.user, cycle=cycle))
        if form.is_valid():
            try:
                registrations = services.register_practice_models(
                    cycle=cycle, practice_models=list(form.cleaned_data["practice_models"]), user=request.user
                )
            except ValidationError as error:
                _add_errors(form, error)
            except PermissionDenied as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request,
                    ngettext(
                        "%(count)s model registered to “%(cycle)s”.",
                        "%(count)s models registered to “%(cycle)s”.",
                        len(registrations),
                    )
                    % {"count": len(registrations), "cycle": cycle.name},
                )
                return redirect(f"{reverse('emulation_registration:index')}?cycle={cycle.pk}")
        return self.render_to_response(self.get_context_data(cycle=cycle, form=form))


class RegistrationWithdrawView(EmulationScreen):
    """Asks the officer to confirm, then takes back one of their units' registrations (see
    services.withdraw_registration). Another unit's registration is simply not found."""

    template_name = "emulation/admin/registration_withdraw.html"
    page_title = gettext_lazy("Withdraw a registration")

    @staticmethod
    def allowed(user) -> bool:
        return selectors.is_officer(user)

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.registration = None

    def get_registration(self) -> Registration:
        if self.registration is None:
            registrations = selectors.editable_registrations(self.request.user)
            self.registration = get_object_or_404(registrations, pk=_int(self.kwargs["pk"]))
        return self.registration

    def get_index_url(self) -> str:
        return f"{reverse('emulation_registration:index')}?cycle={self.get_registration().cycle_id}"

    def get_page_subtitle(self):
        return self.get_registration().practice_model.title

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": self.get_index_url(), "label": _("Register models to a cycle")},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        registration = self.get_registration()
        try:
            services.check_withdrawal(registration=registration, user=self.request.user)
        except (ValidationError, PermissionDenied) as error:
            refusal = _refusal_text(error)
        else:
            refusal = ""
        context.update(
            registration=registration,
            cycle=registration.cycle,
            practice_model=registration.practice_model,
            refusal=refusal,
            index_url=self.get_index_url(),
        )
        return context

    def post(self, request, *args, **kwargs):
        registration = self.get_registration()
        try:
            services.withdraw_registration(registration=registration, user=request.user)
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, _refusal_text(error))
        else:
            messages.success(
                request,
                _("The registration of “%(model)s” to “%(cycle)s” is withdrawn.")
                % {"model": registration.practice_model.title, "cycle": registration.cycle.name},
            )
        # Back on the same cycle either way: the list shows what is registered now, the message why.
        return redirect(self.get_index_url())


# --- Scoring and nomination --------------------------------------------------------------------


class EvaluationIndexView(EmulationScreen):
    """The reviewer's list: the registered models they may score in a cycle, with how far each has got."""

    template_name = "emulation/admin/evaluation_index.html"
    page_title = gettext_lazy("Evaluate models")

    @staticmethod
    def allowed(user) -> bool:
        return selectors.is_reviewer(user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = selectors.today()
        cycles = list(Cycle.objects.select_related("movement").order_by("-year", "movement_id", "name"))
        chosen = _int(self.request.GET.get("cycle"))
        cycle = next((item for item in cycles if item.pk == chosen), None)
        if cycle is None:
            cycle = next(
                (item for item in cycles if not item.evaluation_is_closed(today)), cycles[0] if cycles else None
            )
        context.update(
            cycles=cycles, cycle=cycle, today=today, query=self.request.GET.get("q", "").replace("\x00", "")[:200]
        )
        if cycle is None:
            return context
        evaluations = selectors.scorable_evaluations(user=self.request.user, cycle=cycle).annotate(
            scored_by_me=Exists(Score.objects.filter(evaluation=OuterRef("pk"), reviewer=self.request.user))
        )
        for word in fold(context["query"]).split():
            evaluations = evaluations.filter(practice_model__search_text__contains=word)
        page, page_range = _page(
            self.request, evaluations.order_by("practice_model__unit__path", "practice_model__title", "pk")
        )
        context.update(page=page, elided_page_range=page_range, evaluation_closed=cycle.evaluation_is_closed(today))
        return context


class EvaluationView(EmulationScreen):
    """One evaluation: the reviewer's scores beside the rules, every reviewer's scores, the computed result,
    the model's earlier evaluations, and the nomination."""

    template_name = "emulation/admin/evaluation.html"
    page_title = gettext_lazy("Evaluate a model")

    @staticmethod
    def allowed(user) -> bool:
        return selectors.is_reviewer(user)

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.evaluation = None

    def get_evaluation(self) -> Evaluation:
        if self.evaluation is None:
            self.evaluation = get_object_or_404(
                selectors.scorable_evaluations(user=self.request.user), pk=_int(self.kwargs["pk"])
            )
        return self.evaluation

    def get_page_subtitle(self):
        return self.get_evaluation().practice_model.title

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {
                "url": f"{reverse('emulation_evaluations:index')}?cycle={self.get_evaluation().cycle_id}",
                "label": _("Evaluate models"),
            },
            {"url": "", "label": self.get_evaluation().practice_model.title},
        ]

    def score_form(self, data=None) -> ScoreForm:
        evaluation = self.get_evaluation()
        mine = {score.criterion_id: score for score in evaluation.scores.filter(reviewer=self.request.user)}
        return ScoreForm(
            data, criteria=selectors.criteria_in_use(movement_id=evaluation.cycle.movement_id), initial_scores=mine
        )

    def nomination_form(self, data=None) -> NominationForm:
        evaluation = self.get_evaluation()
        initial = {
            "proposed_form": evaluation.proposed_form,
            "proposed_level": evaluation.proposed_level,
            "note": evaluation.nomination_note,
        }
        return NominationForm(data, initial=initial)

    def get_context_data(self, *, score_form=None, nomination_form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        evaluation = self.get_evaluation()
        today = selectors.today()
        scores = selectors.evaluation_scores(evaluation=evaluation)
        summary = services.compute_result(cycle=evaluation.cycle, scores=scores)
        reviewers = []
        for score in scores:
            if score.reviewer not in reviewers:
                reviewers.append(score.reviewer)
        grid = {(score.reviewer_id, score.criterion_id): score for score in scores}
        criteria = [outcome.criterion for outcome in summary.outcomes]
        score_form = score_form or self.score_form()
        for criterion, _field in score_form.bound_fields():
            if criterion not in criteria:
                criteria.append(criterion)
        context.update(
            evaluation=evaluation,
            cycle=evaluation.cycle,
            practice_model=evaluation.practice_model,
            evaluation_closed=evaluation.cycle.evaluation_is_closed(today),
            score_form=score_form,
            nomination_form=nomination_form or self.nomination_form(),
            summary=summary,
            criteria=criteria,
            score_rows=[
                (
                    criterion,
                    summary.outcome_for(criterion),
                    [grid.get((r.pk if r else None, criterion.pk)) for r in reviewers],
                )
                for criterion in criteria
            ],
            reviewers=reviewers,
            history=[
                item
                for item in selectors.evaluation_history(practice_model=evaluation.practice_model)
                if item.pk != evaluation.pk
            ],
            edit_url=reverse(
                "wagtailsnippets_models_registry_practicemodel:edit", args=[quote(evaluation.practice_model_id)]
            )
            if permissions.can_view(self.request.user, evaluation.practice_model)
            else None,
        )
        return context

    def post(self, request, *args, **kwargs):
        evaluation = self.get_evaluation()
        action = request.POST.get("action")
        if action == "score":
            form = self.score_form(request.POST)
            if form.is_valid():
                try:
                    services.score_evaluation(evaluation=evaluation, reviewer=request.user, scores=form.scores())
                except ValidationError as error:
                    _add_errors(form, error)
                else:
                    evaluation.refresh_from_db()
                    messages.success(
                        request,
                        _("Your scores are saved. The result is now “%(result)s”.")
                        % {"result": evaluation.get_result_display()},
                    )
                    return redirect(request.path)
            return self.render_to_response(self.get_context_data(score_form=form))
        if action == "nominate":
            form = self.nomination_form(request.POST)
            if form.is_valid():
                try:
                    services.nominate(
                        evaluation=evaluation,
                        user=request.user,
                        form=form.cleaned_data["proposed_form"],
                        level=form.cleaned_data["proposed_level"],
                        note=form.cleaned_data["note"],
                    )
                except ValidationError as error:
                    _add_errors(form, error)
                else:
                    messages.success(request, _("The model is nominated for a commendation."))
                    return redirect(request.path)
            return self.render_to_response(self.get_context_data(nomination_form=form))
        if action == "withdraw":
            services.withdraw_nomination(evaluation=evaluation, user=request.user)
            messages.success(request, _("The nomination is withdrawn."))
            return redirect(request.path)
        raise Http404


# --- Commendation report -----------------------------------------------------------------------


class ReportView(EmulationScreen):
    """The form for the commendation meeting's spreadsheet; a valid request downloads it."""

    template_name = "emulation/admin/report.html"
    page_title = gettext_lazy("Commendation meeting report")

    @staticmethod
    def allowed(user) -> bool:
        return selectors.is_reviewer(user)

    def get(self, request, *args, **kwargs):
        units = selectors.reportable_units(request.user)
        if "cycle" in request.GET or "unit" in request.GET:
            # The unit chooser can only show a unit it can look up: anything but an id is left out (and the
            # form says a unit is needed).
            data = request.GET.copy()
            for name in ("cycle", "unit"):
                if _int(data.get(name)) is None:
                    data[name] = ""
            form = ReportForm(data, units=units)
            if form.is_valid():
                cycle, unit = form.cleaned_data["cycle"], form.cleaned_data["unit"]
                content = reports.build_nomination_report(user=request.user, cycle=cycle, unit=unit)
                response = HttpResponse(content, content_type=reports.XLSX_CONTENT_TYPE)
                filename = reports.report_filename(cycle=cycle, unit=unit)
                response["Content-Disposition"] = f'attachment; filename="{filename}"'
                return response
        else:
            own = next(
                (m.unit for m in permissions.memberships(request.user) if m.role == UnitMembership.Role.REVIEWER),
                None,
            )
            today = selectors.today()
            # The cycle being evaluated now, else the latest one.
            cycle = (
                Cycle.objects.evaluation_open(today).order_by("-year").first()
                or Cycle.objects.order_by("-year").first()
            )
            form = ReportForm(initial={"unit": own, "cycle": cycle}, units=units)
        return self.render_to_response(self.get_context_data(form=form))


# --- Activity check ----------------------------------------------------------------------------


class ActivityCheckView(EmulationScreen):
    """The yearly question for every model recognised earlier: is it still active?"""

    template_name = "emulation/admin/activity.html"
    page_title = gettext_lazy("Still active?")

    @staticmethod
    def allowed(user) -> bool:
        return selectors.is_officer(user) or selectors.is_reviewer(user)

    def get_context_data(self, *, answer_form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        today = selectors.today()
        filter_form = ActivityYearForm(self.request.GET or None, initial={"year": today.year})
        year, unanswered = today.year, False
        if filter_form.is_valid():
            year = filter_form.cleaned_data["year"] or today.year
            unanswered = filter_form.cleaned_data["unanswered"]
        models = selectors.models_due_activity_check(user=self.request.user, year=year, unanswered_only=unanswered)
        page, page_range = _page(self.request, models)
        context.update(
            filter_form=filter_form,
            year=year,
            page=page,
            elided_page_range=page_range,
            answer_form=answer_form,
        )
        return context

    def post(self, request, *args, **kwargs):
        form = ActivityCheckForm(request.POST)
        if form.is_valid():
            practice_model = (
                permissions.visible_practice_models(request.user)
                .filter(pk=form.cleaned_data["practice_model"])
                .first()
            )
            if practice_model is None:
                raise Http404
            try:
                services.record_activity_check(
                    practice_model=practice_model,
                    user=request.user,
                    year=form.cleaned_data["year"],
                    is_active=form.cleaned_data["answer"] == "yes",
                    note=form.cleaned_data["note"],
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Answer recorded for “%(model)s”.") % {"model": practice_model.title},
                )
                query = request.GET.urlencode()
                return redirect(f"{request.path}?{query}" if query else request.path)
        messages.error(request, " ".join(message for errors in form.errors.values() for message in errors))
        return self.render_to_response(self.get_context_data(answer_form=form))


# --- Cycles: saved through the service ---------------------------------------------------------


class CycleSaveMixin:
    """Saves through services.save_cycle (which recomputes results when thresholds change) and shows its
    refusals on the form."""

    def save_instance(self):
        return services.save_cycle(cycle=self.form.instance, user=self.request.user)

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ValidationError as error:
            _add_errors(form, error)
            self.produced_error_code = "validation_error"
            self.produced_error_message = self.get_error_message()
            return self.form_invalid(form)


class CycleCreateView(CycleSaveMixin, CreateView):
    pass


class CycleEditView(CycleSaveMixin, EditView):
    pass
