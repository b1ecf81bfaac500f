"""Radios that reveal more questions for some answers (GOV.UK's conditional reveal).

Rendered with GOV.UK's markup and classes, for static/js/conditional-reveal.js rather
than GOV.UK Frontend's own script (docs/decisions/0019). Without JavaScript every
revealed question is shown.
"""

from crispy_forms.utils import TEMPLATE_PACK, render_field
from crispy_forms_gds.layout import Field, Size
from django.utils.safestring import mark_safe


class Reveal:
    """Fields shown when the radio's answer is one of `values`, under the last of them."""

    def __init__(self, name, values, *fields):
        self.name = name
        self.values = [str(value) for value in values]
        self.fields = list(fields)


class RadiosWithReveals(Field):
    """A radios field, followed within its radios by the blocks its answers reveal.

    A block is hidden (once JavaScript runs) unless its answer is chosen or one of its
    fields has an error, so that an error is never hidden.
    """

    template = "includes/forms/radios_with_reveals.html"

    def __init__(self, field, *reveals, legend_size=None):
        context = {"legend_size": Size.for_legend(legend_size)} if legend_size else {}
        super().__init__(field, context=context)
        self.reveals = list(reveals)

    def render(self, form, context, template_pack=TEMPLATE_PACK, **kwargs):
        bound = form[self.fields[0]]
        chosen = "" if bound.value() is None else str(bound.value())
        blocks = {}
        for reveal in self.reveals:
            blocks[reveal.values[-1]] = {
                "id": f"conditional-{bound.html_name}-{reveal.name}",
                "hidden": chosen not in reveal.values
                and not any(form[name].errors for name in _names(reveal.fields)),
                # Each part is a rendered template, escaped as it was rendered.
                "html": mark_safe(
                    "".join(
                        render_field(field, form, context, template_pack=template_pack, **kwargs)
                        for field in reveal.fields
                    )
                ),
            }
        controls = {
            value: f"conditional-{bound.html_name}-{reveal.name}"
            for reveal in self.reveals
            for value in reveal.values
        }
        items = [
            {
                "choice": choice,
                "position": position,
                "controls": controls.get(str(choice[0])),
                "block": blocks.get(str(choice[0])),
            }
            for position, choice in enumerate(bound.field.choices, start=1)
        ]
        return self.get_rendered_fields(
            form,
            context,
            template_pack,
            template=self.get_template_name(template_pack),
            attrs=self.attrs,
            extra_context={**self.context, "items": items},
            **kwargs,
        )


def _names(fields):
    """The form field names in a list of layout objects and names."""
    for field in fields:
        if isinstance(field, str):
            yield field
        else:
            yield from _names(field.fields)
