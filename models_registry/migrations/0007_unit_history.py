"""Unit history: dated renames, merges, splits and moves; each model keeps its unit's name at submission.

Existing models get their unit's present name, the best that is known of the name they were filed
under: one UPDATE with a subquery, whatever the number of models.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def fill_submitted_unit_names(apps, schema_editor):
    PracticeModel = apps.get_model("models_registry", "PracticeModel")
    Unit = apps.get_model("models_registry", "Unit")
    PracticeModel.objects.filter(submitted_unit_name="").update(
        submitted_unit_name=models.Subquery(Unit.objects.filter(pk=models.OuterRef("unit_id")).values("name")[:1])
    )


class Migration(migrations.Migration):

    dependencies = [
        ('models_registry', '0006_default_review_workflow'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='practicemodel',
            name='submitted_unit_name',
            field=models.CharField(blank=True, default='', editable=False, max_length=255, verbose_name='unit name at submission'),
        ),
        migrations.RunPython(fill_submitted_unit_names, migrations.RunPython.noop, elidable=True),
        migrations.CreateModel(
            name='UnitChange',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('rename', 'Rename'), ('merge', 'Merge'), ('split', 'Split'), ('move', 'Move / reorganisation')], max_length=10, verbose_name='kind of change')),
                ('effective_date', models.DateField(verbose_name='effective date')),
                ('legal_basis', models.CharField(blank=True, help_text='The decision or resolution, e.g. “Nghị quyết số 1656/NQ-UBTVQH15 ngày 16/6/2025”.', max_length=500, verbose_name='legal basis')),
                ('note', models.TextField(blank=True, verbose_name='note')),
                ('recorded_at', models.DateTimeField(auto_now_add=True, verbose_name='recorded at')),
                ('recorded_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='recorded by')),
            ],
            options={
                'verbose_name': 'unit change',
                'verbose_name_plural': 'unit changes',
                'ordering': ['-effective_date', '-id'],
            },
        ),
        migrations.CreateModel(
            name='UnitChangeLink',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('role', models.CharField(choices=[('predecessor', 'Before the change'), ('successor', 'After the change')], max_length=12, verbose_name='role')),
                ('name', models.CharField(max_length=255, verbose_name='name at the time')),
                ('change', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='links', to='models_registry.unitchange', verbose_name='change')),
                ('parent', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='models_registry.unit', verbose_name='parent unit at the time')),
                ('unit', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='change_links', to='models_registry.unit', verbose_name='unit')),
            ],
            options={
                'verbose_name': 'unit in a change',
                'verbose_name_plural': 'units in a change',
                'ordering': ['change', 'role', 'id'],
                'indexes': [models.Index(fields=['role', 'unit'], name='unit_change_link_role')],
                'constraints': [models.UniqueConstraint(fields=('change', 'unit', 'role'), name='unique_unit_change_link')],
            },
        ),
    ]
