"""Give the groups and the workflow that Wagtail's own migrations create Vietnamese names.

Wagtail creates "Editors", "Moderators" and a "Moderators approval" workflow in English; the
admin shows these names as data, which no translation catalogue reaches.
"""

from django.db import migrations

GROUPS = {"Editors": "Biên tập viên", "Moderators": "Kiểm duyệt viên"}
WORKFLOW = {"Moderators approval": "Kiểm duyệt viên duyệt"}


def rename(apps, schema_editor, groups, workflows):
    Group = apps.get_model("auth", "Group")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    Task = apps.get_model("wagtailcore", "Task")
    for old, new in groups.items():
        if not Group.objects.filter(name=new).exists():
            Group.objects.filter(name=old).update(name=new)
    for old, new in workflows.items():
        Workflow.objects.filter(name=old).update(name=new)
        Task.objects.filter(name=old).update(name=new)


def forwards(apps, schema_editor):
    rename(apps, schema_editor, GROUPS, WORKFLOW)


def backwards(apps, schema_editor):
    rename(apps, schema_editor, {v: k for k, v in GROUPS.items()}, {v: k for k, v in WORKFLOW.items()})


class Migration(migrations.Migration):
    dependencies = [
        ("models_registry", "0001_initial"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailadmin", "0006_formstate"),
        ("wagtailimages", "0027_image_description"),
        ("wagtaildocs", "0014_alter_document_file_size"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
