"""The compiled front end: our settings for GOV.UK Frontend, and hashed static files."""

import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings

BUILD = Path(__file__).resolve().parent.parent / "static" / "build"


def test_css_uses_arial_and_never_gds_transport():
    css = (BUILD / "app.css").read_text()
    assert "font-family:arial,sans-serif" in css
    assert "GDS Transport" not in css


def test_css_refers_to_assets_relative_to_itself():
    css = (BUILD / "app.css").read_text()
    assert 'url("/assets/' not in css
    for reference in ['url("assets/images/']:
        if reference in css:
            name = css.split(reference, 1)[1].split('"', 1)[0]
            assert (BUILD / "assets" / "images" / name).exists()


@pytest.mark.django_db
def test_collectstatic_hashes_files_and_rewrites_the_module_import(tmp_path):
    with override_settings(
        STATIC_ROOT=tmp_path,
        STORAGES={
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": "lgdss.storage.StaticStorage"},
        },
    ):
        call_command("collectstatic", "--no-input", verbosity=0)
    hashed_app = list(tmp_path.glob("app.*.js"))
    assert len(hashed_app) == 1
    script = hashed_app[0].read_text()
    hashed_govuk = next(tmp_path.glob("govuk-frontend.min.*.js")).name
    assert f'from "./{hashed_govuk}"' in script
    hashed_warning = next(tmp_path.glob("timeout-warning.*.js")).name
    assert f'from "./{hashed_warning}"' in script
    assert list(tmp_path.glob("app.*.css.gz")), "whitenoise compresses the CSS"


def test_every_image_the_css_names_is_built_beside_it():
    """GOV.UK Frontend's images and MOJ Frontend's filter icons, which it names unquoted."""
    css = (BUILD / "app.css").read_text()
    names = re.findall(r'url\("?assets/images/([^")]+)"?\)', css)
    assert "icon-tag-remove-cross.svg" in names
    for name in names:
        assert (BUILD / "assets" / "images" / name).exists(), name
