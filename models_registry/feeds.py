"""Atom feeds of newly recognised models, for everyone, per movement and per unit (with the units below).

"Newly recognised": a published model with a commendation or a recognition level, dated by its
latest commendation's decision date; a model recognised without any commendation recorded (a
level set by the review) is dated by its first publication. The newest 50 come first.

Addresses (under /nguon-tin/): `moi-cong-nhan.atom`, `phong-trao/<movement-slug>.atom` and
`don-vi/<unit-code>.atom`; an unknown movement or unit answers 404.
"""

import datetime

from django.contrib.syndication.views import Feed
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from movements.models import MovementPage

from .exports import ModelUrls
from .models import Commendation, PracticeModel, Unit, unit_code_validator

FEED_SIZE = 50
SCAN_BATCH = 500


def _as_datetime(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def recently_recognised(*, movement=None, unit=None, limit: int = FEED_SIZE) -> list[PracticeModel]:
    """The `limit` most recently recognised published models, newest first, each with
    `recognised_at` (aware datetime) and `latest_commendation` (or None) set."""
    models = PracticeModel.objects.published()
    if movement is not None:
        models = models.filter(movement=movement)
    if unit is not None:
        models = models.under(unit)

    # Newest commendations first, off their date index; each model counts once, at its latest one.
    latest: dict[int, tuple[datetime.datetime, int]] = {}
    commendations = Commendation.objects.filter(practice_model__in=models.order_by().values("id")).order_by(
        "-decision_date", "-id"
    )
    start = 0
    while len(latest) < limit:
        batch = list(commendations.values_list("practice_model_id", "decision_date", "id")[start : start + SCAN_BATCH])
        for model_id, day, commendation_id in batch:
            if model_id not in latest and len(latest) < limit:
                latest[model_id] = (_as_datetime(day), commendation_id)
        if len(batch) < SCAN_BATCH:
            break
        start += SCAN_BATCH

    # Recognised by the review (a level) with no commendation recorded: dated by first publication.
    uncommended = (
        models.exclude(recognition_level="")
        .filter(~Exists(Commendation.objects.filter(practice_model=OuterRef("pk"))))
        .exclude(first_published_at=None)
        .order_by("-first_published_at", "-id")
        .values_list("id", "first_published_at")[:limit]
    )
    dated = [(when, model_id, commendation_id) for model_id, (when, commendation_id) in latest.items()]
    dated += [(when, model_id, None) for model_id, when in uncommended]
    dated.sort(key=lambda entry: (entry[0], entry[1]), reverse=True)
    dated = dated[:limit]

    by_id = (
        PracticeModel.objects.select_related("unit")
        .defer("story", "search_text")
        .in_bulk([model_id for _when, model_id, _c in dated])
    )
    commendations_by_id = Commendation.objects.in_bulk([c for _when, _id, c in dated if c is not None])
    entries = []
    for when, model_id, commendation_id in dated:
        practice_model = by_id.get(model_id)
        if practice_model is None:
            continue
        practice_model.recognised_at = when
        practice_model.latest_commendation = commendations_by_id.get(commendation_id)
        entries.append(practice_model)
    return entries


class RecognisedModelsFeed(Feed):
    """Every movement and unit: /nguon-tin/moi-cong-nhan.atom."""

    feed_type = Atom1Feed

    def scope(self, obj) -> dict:
        return {}

    def title(self, obj):
        return _("Newly recognised models")

    def subtitle(self, obj):
        return _("The latest practice models to be recognised or commended, newest first.")

    def link(self, obj):
        return "/"

    def items(self, obj):
        entries = recently_recognised(**self.scope(obj))
        urls = ModelUrls()
        for entry in entries:
            entry.public_url = urls(entry)
        return entries

    def item_title(self, item):
        return item.title

    def item_link(self, item):
        return item.public_url or reverse("models_registry:unit_detail", kwargs={"code": item.unit.code})

    def item_guid(self, item):
        # Stable across slug changes: the address may move, the entry stays the same entry.
        return f"tag:mo-hinh,{item.created_at:%Y-%m-%d}:practice-model/{item.pk}"

    item_guid_is_permalink = False

    def item_description(self, item):
        commendation = item.latest_commendation
        if commendation is None:
            recognised = _("Recognised at %(level)s level.") % {"level": item.get_recognition_level_display().lower()}
        else:
            recognised = _("%(award)s, decision no. %(number)s of %(date)s by %(body)s.") % {
                "award": commendation.title or commendation.get_form_display(),
                "number": commendation.decision_number,
                "date": formats.date_format(commendation.decision_date, "d/m/Y"),
                "body": commendation.issuing_body,
            }
        return " ".join(filter(None, [item.summary, recognised]))

    def item_author_name(self, item):
        return item.unit.name

    def item_updateddate(self, item):
        return item.recognised_at

    def item_pubdate(self, item):
        return item.recognised_at


class MovementFeed(RecognisedModelsFeed):
    """One movement: /nguon-tin/phong-trao/<slug>.atom."""

    def get_object(self, request, slug):
        return get_object_or_404(MovementPage.objects.live(), slug=slug)

    def scope(self, obj):
        return {"movement": obj}

    def title(self, obj):
        return _("Newly recognised models of “%(movement)s”") % {"movement": obj.title}

    def link(self, obj):
        return obj.url or "/"


class UnitFeed(RecognisedModelsFeed):
    """One unit and every unit below it: /nguon-tin/don-vi/<code>.atom."""

    def get_object(self, request, code):
        try:
            # A code no unit can have (a NUL byte, say) never reaches the database: PostgreSQL refuses NUL.
            unit_code_validator(code)
        except ValidationError as error:
            raise Http404 from error
        return get_object_or_404(Unit, code=code)

    def scope(self, obj):
        return {"unit": obj}

    def title(self, obj):
        return _("Newly recognised models of %(unit)s") % {"unit": obj.name}

    def link(self, obj):
        return obj.get_absolute_url()
