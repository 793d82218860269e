from django.db import migrations


def load_categories(apps, schema_editor):
    from houqin.assets import categories

    categories.load(apps.get_model("assets", "AssetCategory"))


class Migration(migrations.Migration):
    dependencies = [("assets", "0001_initial")]

    operations = [migrations.RunPython(load_categories, migrations.RunPython.noop)]
