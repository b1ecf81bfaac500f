"""Showing a team's evidence: `{% load evidence %}`, then `{{ answer.evidence|evidence }}`.

On pages that may be printed, put it inside `<div class="app-evidence">` so the
print stylesheet shows where its links go.
"""

from django import template

from assessments import markdown

register = template.Library()


@register.filter(is_safe=True)
def evidence(text):
    """Evidence rendered from its Markdown subset to sanitised GOV.UK HTML ("" if empty)."""
    return markdown.render_evidence(text)
