"""Template helpers for the site's layout."""

from crispy_forms_gds.templatetags.crispy_forms_gds import (
    field_errors,
    is_checkboxes,
    is_multivalue,
    is_radios,
)
from django import template
from django.forms.formsets import BaseFormSet
from django.utils import dateformat, timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from lgdss.inline_script import JS_ENABLED

register = template.Library()


@register.simple_tag
def js_enabled_script():
    """GOV.UK Frontend's js-enabled snippet, allowed by the policy's hash of this very
    text (lgdss/inline_script.py). Printed as it is: escaping its quotes would change
    the text, and so its hash."""
    return mark_safe(f"<script>{JS_ENABLED}</script>")


@register.simple_tag(takes_context=True)
def nav_current(context, prefix):
    """True when the page being shown lives under `prefix` (for service navigation)."""
    request = context.get("request")
    if request is None:
        return False
    if prefix == "/":
        return request.path == "/"
    return request.path.startswith(prefix)


class TableRegionNode(template.Node):
    def __init__(self, caption_id, nodelist):
        self.caption_id = caption_id
        self.nodelist = nodelist

    def render(self, context):
        return format_html(
            '<div class="app-table-wrapper" role="region" aria-labelledby="{}" tabindex="0">{}</div>',
            self.caption_id.resolve(context),
            self.nodelist.render(context),
        )


@register.tag
def table_region(parser, token):
    """A table that scrolls sideways on its own on a narrow screen (or at 400% zoom)
    instead of making the whole page scroll. The region can be reached by keyboard to
    scroll it, and is named by the table's caption, whose id it is given:

        {% table_region "councils-caption" %}<table>…<caption id="councils-caption">…{% endtable_region %}
    """
    try:
        _, caption_id = token.split_contents()
    except ValueError:
        raise template.TemplateSyntaxError(
            "table_region takes the id of the table's caption"
        ) from None
    nodelist = parser.parse(("endtable_region",))
    parser.delete_first_token()
    return TableRegionNode(parser.compile_filter(caption_id), nodelist)


@register.filter
def paragraphs(text):
    """Split guidance text into paragraphs at blank lines."""
    return [part.strip() for part in (text or "").split("\n\n") if part.strip()]


def govuk_time(moment):
    """GOV.UK style times in UK time: "2:05pm", and "9am" on the hour."""
    local = timezone.localtime(moment)
    time = dateformat.format(local, "g:i" if local.minute else "g")
    return f"{time}{'am' if local.hour < 12 else 'pm'}"


@register.filter
def govuk_datetime(moment):
    """ "26 November 2026, 2:05pm" in UK time; empty for no time."""
    if not moment:
        return ""
    return f"{dateformat.format(timezone.localtime(moment), 'j F Y')}, {govuk_time(moment)}"


@register.filter
def html_datetime(moment):
    """A moment for a `<time datetime>` attribute: ISO 8601 to the second in UK time,
    "2026-11-26T14:05:00+00:00", since HTML allows no more than three decimal places of a
    second and seconds are all a reader needs."""
    if not moment:
        return ""
    return timezone.localtime(moment).replace(microsecond=0).isoformat()


@register.filter(name="govuk_time")
def govuk_time_filter(moment):
    return govuk_time(moment) if moment else ""


@register.inclusion_tag("includes/error_summary.html")
def error_summary(*forms, errors=(), description=""):
    """The GOV.UK error summary for forms and formsets: `{% error_summary form links %}`.

    Each message links to the input to correct. `errors` are (address, message) pairs
    for problems that are not a form's, listed first; `description` is a sentence
    above the list. Nothing is shown when there are no errors.
    """
    links = list(errors)
    for form in forms:
        links += _formset_links(form) if isinstance(form, BaseFormSet) else _form_links(form)
    return {"errors": links, "description": description}


def _anchor(field):
    """Where a link to `field` lands: radios and checkboxes on their first option
    (crispy-forms-gds numbers them from 1), date inputs on their first part."""
    if is_radios(field) or is_checkboxes(field):
        return f"#{field.auto_id}_1"
    if is_multivalue(field):
        return f"#{field.auto_id}_0"
    return f"#{field.auto_id}"


def _form_links(form, prefix=""):
    """A form's errors as (address, message). Errors about the whole form link to
    `form.non_field_anchor` if the view set one (the saved version, after an edit
    conflict), otherwise to the first field."""
    fields = form.visible_fields()
    whole_form = getattr(form, "non_field_anchor", None) or (_anchor(fields[0]) if fields else "#")
    links = [(whole_form, f"{prefix}{error}") for error in form.non_field_errors()]
    for field in fields:
        if is_radios(field) or is_checkboxes(field):
            links += [(_anchor(field), f"{prefix}{error}") for error in field.errors]
        else:  # a date's message links to the part that is wrong
            links += [
                (f"#{field_id}", f"{prefix}{error}")
                for field_id, errors in field_errors(field)
                for error in errors
            ]
    return links


def _formset_links(formset):
    """A formset's errors: its own, linked to the element whose id is its prefix, then
    each form's, named by `formset.item_name` if it has one ("Link 2: Enter a title")."""
    links = [(f"#{formset.prefix}", error) for error in formset.non_form_errors()]
    item_name = getattr(formset, "item_name", "")
    for number, form in enumerate(formset.forms, start=1):
        links += _form_links(form, prefix=f"{item_name} {number}: " if item_name else "")
    return links
