from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    """Hashed, compressed static files, with `import` paths in ES modules rewritten
    to the hashed names too (our app.js imports govuk-frontend.min.js)."""

    support_js_module_import_aggregation = True
