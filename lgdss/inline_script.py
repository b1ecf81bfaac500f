"""The one inline script in the service's pages, and its hash for the Content Security Policy.

GOV.UK Frontend's documented snippet marks the page as able to run its JavaScript. It runs
before the page is first drawn, so that components styled for JavaScript do not flash in
their no-JavaScript form; as a file it would be a request holding up every page.

The policy allows it by the hash of its exact text (`'sha256-…'`), not by a nonce, so the
header and the page are the same bytes for every visitor and a public page can be stored
once and served as it is (docs/decisions/0014 and 0022). The text is kept here, and only
here: `base.html` prints it with `{% js_enabled_script %}` (lgdss/templatetags/site.py) and
the settings put `JS_ENABLED_HASH` in `script-src`, so the two cannot drift apart. Any
change to a byte of it (a space, a quote) is a new hash, made at start-up.

It is GOV.UK Frontend's text to the byte: its documentation gives the same hash.
"""

import base64
import hashlib

JS_ENABLED = (
    "document.body.className += ' js-enabled' + "
    "('noModule' in HTMLScriptElement.prototype ? ' govuk-frontend-supported' : '');"
)


def csp_hash(script):
    """A CSP source expression allowing an inline script with exactly this text."""
    digest = hashlib.sha256(script.encode()).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


JS_ENABLED_HASH = csp_hash(JS_ENABLED)
