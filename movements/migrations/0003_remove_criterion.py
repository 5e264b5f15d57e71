"""Remove the movement pages' own criteria: emulation 0003 adopted them into the emulation criteria."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("movements", "0002_initial_content"),
        ("emulation", "0003_adopt_movement_criteria"),
    ]

    operations = [migrations.DeleteModel(name="Criterion")]
