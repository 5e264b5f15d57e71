"""Adopt the movement pages' own criteria into the emulation criteria, so editors keep one list.

Until now a movement page had a list of criteria of its own (movements.Criterion, shown on the public
page) beside the emulation criteria that scoring uses. Each of the page's criteria is adopted:

- one whose name matches an emulation criterion of the same movement (ignoring case, diacritics and
  spacing) gives it its description if the emulation criterion has none;
- one that matches none becomes an emulation criterion, pass/fail and not in use, after the
  movement's existing ones: an editor's wording is kept, but changes no score until switched on;
- one that matches none but is still exactly as movements 0002 seeded it (name and description) is
  left out: the emulation seed (0002) replaces that list, which for "Chi bộ bốn tốt" did not follow Resolution 21-NQ/TW,
  and its text stays in movements 0002.

movements 0003 then removes the old model. Going back gives each movement page the emulation
criteria in use as its own list again.
"""

import importlib
import unicodedata
from decimal import Decimal

from django.db import migrations


def fold(name: str) -> str:
    """A comparison key for a criterion's name: no case, no diacritics (đ included), single spaces."""
    # A frozen copy of search.text.fold plus space normalisation: a migration must not follow app code.
    decomposed = unicodedata.normalize("NFD", (name or "").translate(str.maketrans({"đ": "d", "Đ": "D"})))
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return " ".join(unicodedata.normalize("NFC", stripped).casefold().split())


def seeded_page_criteria() -> dict[str, set[tuple[str, str]]]:
    """The (name, description) pairs movements 0002 seeded, by movement slug (that migration is released)."""
    seed = importlib.import_module("movements.migrations.0002_initial_content")
    return {movement["slug"]: set(movement["criteria"]) for movement in seed.MOVEMENTS}


def plan_adoption(*, page_criteria, emulation_criteria, seeded=frozenset()):
    """What adopting the page criteria changes, worked out without touching the database.

    `page_criteria`: (movement_id, name, description) in page order; `emulation_criteria`:
    (pk, movement_id, name, description, sort_order); `seeded`: the (movement_id, name, description)
    of the old seed, not adopted unless they match. Returns the descriptions to fill in, {pk: description}, and the criteria to
    create, [{"movement_id", "name", "description", "sort_order"}].
    """
    matches = {}  # (movement_id, folded name) -> ("existing", pk) or ("new", index in `additions`)
    existing_descriptions = {}
    next_order = {}
    for pk, movement_id, name, description, sort_order in emulation_criteria:
        matches.setdefault((movement_id, fold(name)), ("existing", pk))
        existing_descriptions[pk] = description
        next_order[movement_id] = max(next_order.get(movement_id, 0), (sort_order or 0) + 1)

    descriptions, additions = {}, []
    for movement_id, name, description in page_criteria:
        name, description = name.strip(), description.strip()
        if not name:
            continue
        match = matches.get((movement_id, fold(name)))
        if match is None and (movement_id, name, description) in seeded:
            continue  # the old seed, replaced by the emulation seed
        if match is None:
            order = next_order.get(movement_id, 0)
            next_order[movement_id] = order + 1
            matches[movement_id, fold(name)] = ("new", len(additions))
            additions.append(
                {"movement_id": movement_id, "name": name, "description": description, "sort_order": order}
            )
        elif match[0] == "existing":
            pk = match[1]
            if description and not existing_descriptions[pk] and pk not in descriptions:
                descriptions[pk] = description
        elif description and not additions[match[1]]["description"]:
            additions[match[1]]["description"] = description  # two page criteria of one name: keep a wording
    return descriptions, additions


def adopt_movement_criteria(apps, schema_editor):
    MovementPage = apps.get_model("movements", "MovementPage")
    PageCriterion = apps.get_model("movements", "Criterion")
    Criterion = apps.get_model("emulation", "Criterion")

    seed = seeded_page_criteria()
    seeded = {
        (pk, name, description)
        for pk, slug in MovementPage.objects.values_list("pk", "slug")
        for name, description in seed.get(slug, ())
    }
    descriptions, additions = plan_adoption(
        page_criteria=PageCriterion.objects.order_by("movement_id", "sort_order", "pk").values_list(
            "movement_id", "name", "description"
        ),
        emulation_criteria=Criterion.objects.order_by("movement_id", "sort_order", "pk").values_list(
            "pk", "movement_id", "name", "description", "sort_order"
        ),
        seeded=seeded,
    )
    for pk, description in descriptions.items():
        Criterion.objects.filter(pk=pk).update(description=description)
    for addition in additions:
        Criterion.objects.create(
            **addition, kind="pass_fail", weight=Decimal("1"), max_score=Decimal("0"), is_active=False
        )


def restore_page_criteria(apps, schema_editor):
    """Going back: each movement page without criteria of its own lists the emulation criteria in use."""
    MovementPage = apps.get_model("movements", "MovementPage")
    PageCriterion = apps.get_model("movements", "Criterion")
    Criterion = apps.get_model("emulation", "Criterion")
    for movement in MovementPage.objects.exclude(pk__in=PageCriterion.objects.values("movement_id")):
        in_use = Criterion.objects.filter(movement_id=movement.pk, is_active=True).order_by("sort_order", "pk")
        PageCriterion.objects.bulk_create(
            PageCriterion(movement_id=movement.pk, sort_order=order, name=c.name, description=c.description)
            for order, c in enumerate(in_use)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("emulation", "0002_seed_criteria"),
        ("movements", "0002_initial_content"),
    ]

    operations = [migrations.RunPython(adopt_movement_criteria, restore_page_criteria)]
