"""Bulk writes shared by the importer and the demo loader."""

from django.db import connection

from ..models import PracticeModel

CHUNK_SIZE = 2000


def update_rows(instances: list[PracticeModel], field_names: list[str]) -> None:
    """Write these fields of these rows with one prepared UPDATE run for every row.

    QuerySet.bulk_update builds a CASE WHEN per field and row: half a minute for 10,000 models.
    """
    if not instances:
        return
    meta = PracticeModel._meta
    fields = [meta.get_field(name) for name in field_names]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(model_field.column)} = %s" for model_field in fields)
    # Only column names from the model's own metadata are interpolated; every value is a parameter.
    sql = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(meta.pk.column)} = %s"  # noqa: S608
    params = [
        [model_field.get_db_prep_save(getattr(instance, model_field.attname), connection) for model_field in fields]
        + [instance.pk]
        for instance in instances
    ]
    with connection.cursor() as cursor:
        for start in range(0, len(params), CHUNK_SIZE):
            cursor.executemany(sql, params[start : start + CHUNK_SIZE])
