"""`{% records_by_year practice_model as records %}`: a model's records of every year, for its public page."""

from django import template

from ..duplicates import records_by_year as published_records

register = template.Library()


@register.simple_tag
def records_by_year(practice_model) -> list:
    """The model and its published records of other years (linked by `previous_record`), oldest first;
    empty when there are none, so the page shows nothing."""
    others = published_records(practice_model)
    if not others:
        return []
    return sorted([*others, practice_model], key=lambda record: (record.year, record.pk or 0))
