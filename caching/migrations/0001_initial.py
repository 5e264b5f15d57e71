from django.db import migrations, models


def create_row(apps, schema_editor):
    apps.get_model("caching", "ContentGeneration").objects.get_or_create(pk=1, defaults={"token": 0})


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="ContentGeneration",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("token", models.BigIntegerField(default=0, verbose_name="token")),
            ],
            options={"verbose_name": "content generation", "verbose_name_plural": "content generations"},
        ),
        migrations.RunPython(create_row, migrations.RunPython.noop),
    ]
