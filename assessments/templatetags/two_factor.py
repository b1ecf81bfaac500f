"""How two-factor authentication's secrets are shown: the QR code, the key and the codes."""

from base64 import b32encode

import segno
from django import template
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag
def qr_code(device):
    """The app's set-up address as a QR code: an SVG drawn here, so no script is needed."""
    svg = segno.make(device.config_url, error="m").svg_inline(
        scale=4, dark="#0b0c0c", light="#ffffff", svgclass="app-qr-code"
    )
    # The SVG holds only path data (the address is encoded in it, never written as text).
    return mark_safe(
        svg.replace("<svg ", '<svg role="img" aria-label="QR code to scan with your app" ', 1)
    )


def _groups_of_four(text):
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


@register.filter
def secret_key(device):
    """The secret key as apps ask for it when typed (base32), in groups of 4 characters."""
    return _groups_of_four(b32encode(device.bin_key).decode())


@register.filter
def recovery_code(code):
    """A recovery code in groups of 4 characters, easier to copy by hand."""
    return _groups_of_four(code)
