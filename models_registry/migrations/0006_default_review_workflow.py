"""The default review workflow "Duyệt mô hình": district (or mass organisation), then the city.

Assigned to practice models through WorkflowContentType, which WorkflowMixin.get_default_workflow
reads. Task and workflow names are data (editable in the admin), so they are written in Vietnamese.
Page workflows are left as Wagtail created them.
"""

from django.db import migrations

WORKFLOW_NAME = "Duyệt mô hình"
STEPS = [
    # (name, scope, sets_recognition_level)
    ("Quận/đoàn thể duyệt", "nearest", False),
    ("Thành phố duyệt", "root", True),
]


def create_workflow(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowTask = apps.get_model("wagtailcore", "WorkflowTask")
    WorkflowContentType = apps.get_model("wagtailcore", "WorkflowContentType")
    UnitReviewTask = apps.get_model("models_registry", "UnitReviewTask")

    # Historical models lack Task.__init__, which fills in the content type that `.specific` needs;
    # content types may not exist yet on a fresh database (post_migrate creates them later).
    task_type, _ = ContentType.objects.get_or_create(app_label="models_registry", model="unitreviewtask")
    practice_model_type, _ = ContentType.objects.get_or_create(app_label="models_registry", model="practicemodel")

    workflow, _ = Workflow.objects.get_or_create(name=WORKFLOW_NAME, defaults={"active": True})
    for sort_order, (name, scope, sets_level) in enumerate(STEPS):
        task = UnitReviewTask.objects.filter(name=name).first()
        if task is None:
            task = UnitReviewTask.objects.create(
                name=name, content_type=task_type, active=True, scope=scope, sets_recognition_level=sets_level
            )
        WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": sort_order})
    WorkflowContentType.objects.get_or_create(content_type=practice_model_type, defaults={"workflow": workflow})


def remove_workflow(apps, schema_editor):
    Workflow = apps.get_model("wagtailcore", "Workflow")
    UnitReviewTask = apps.get_model("models_registry", "UnitReviewTask")
    Task = apps.get_model("wagtailcore", "Task")
    task_ids = list(UnitReviewTask.objects.filter(name__in=[name for name, _, _ in STEPS]).values_list("pk", flat=True))
    Workflow.objects.filter(name=WORKFLOW_NAME).delete()
    Task.objects.filter(pk__in=task_ids).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("models_registry", "0005_unitreviewtask_unitreviewtaskstate"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(create_workflow, remove_workflow)]
