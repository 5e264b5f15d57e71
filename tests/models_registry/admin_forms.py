"""POST data for the practice model editor in the admin: the fields, the StreamField and the inline formsets."""


def formset(prefix: str, rows: list[dict], initial: int = 0) -> dict:
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        data.update({f"{prefix}-{index}-{key}": value for key, value in row.items()})
        data.setdefault(f"{prefix}-{index}-ORDER", str(index + 1))
    return data


def story(blocks: list[tuple[str, dict | str]]) -> dict:
    """The StreamField's POST data: `blocks` as (type, value), a struct's value as {child: value}."""
    data = {"story-count": str(len(blocks))}
    for index, (block_type, value) in enumerate(blocks):
        prefix = f"story-{index}"
        data.update({f"{prefix}-type": block_type, f"{prefix}-deleted": "", f"{prefix}-order": str(index)})
        data[f"{prefix}-id"] = f"block-{index}"
        if isinstance(value, dict):
            data.update({f"{prefix}-value-{child}": child_value for child, child_value in value.items()})
        else:
            data[f"{prefix}-value"] = value
    return data


def model_form_data(practice_model_fields: dict, *, results=(), gallery=(), attachments=(), blocks=()) -> dict:
    data = {
        "title": "",
        "unit": "",
        "movement": "",
        "field": "",
        "year": "2024",
        "summary": "",
        "results": "",
        "cover_image": "",
        "contact_name": "",
        "contact_position": "",
        "contact_phone": "",
        "contact_email": "",
        "recognition_level": "",
        "external_id": "",
        "slug": "",
    }
    data.update(practice_model_fields)
    data.update(story(list(blocks)))
    data.update(formset("measured_results", list(results)))
    data.update(formset("gallery_images", list(gallery)))
    data.update(formset("attachments", list(attachments)))
    return data
