"""Products get a slug, their public address /products/<slug>/ (supplier and name)."""

from django.db import migrations, models
from django.utils.text import slugify


def fill_slugs(apps, schema_editor):
    """Every existing product's slug, from its supplier and name, unique even where two
    slugify alike (the second gets "-2"). The same rule as `services.unique_slug`, copied
    here because a migration must not import the models' current code."""
    Product = apps.get_model("assessments", "Product")
    taken = set()
    for product in Product.objects.select_related("supplier").order_by("pk"):
        base = slugify(f"{product.supplier.name} {product.name}")[:300].strip("-") or "product"
        slug, number = base, 1
        while slug in taken:
            number += 1
            slug = f"{base}-{number}"
        taken.add(slug)
        product.slug = slug
        product.save(update_fields=["slug"])


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0009_publishing"),
    ]

    operations = [
        migrations.AddField(
            model_name="product",
            name="slug",
            # No index until it is unique: on PostgreSQL, making an indexed slug unique
            # would add a second "_like" index of the same name.
            field=models.SlugField(blank=True, db_index=False, max_length=320, null=True),
        ),
        migrations.RunPython(fill_slugs, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="product",
            name="slug",
            field=models.SlugField(
                blank=True,
                help_text="The end of the product's public address. Leave it blank to make "
                "it from the supplier's name and the product's.",
                max_length=320,
                unique=True,
            ),
        ),
    ]
