"""How the results' filters are laid out: the filter panel and, apart, the sort order.

The fields and their choices are `assessments.publishing.filters.PublicationFilter`'s,
shared with the API; only their presentation (crispy-forms-gds) is here.
"""

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Size


def _select(name):
    # Field.select takes no label size: it is given to the template as Field.text gives it.
    return Field(name, context={"label_size": Size.for_label(Size.SMALL)})


def _helper(*fields):
    helper = FormHelper()
    helper.form_tag = False  # one GET form holds the filters and the sort (the template's)
    helper.disable_csrf = True
    helper.layout = Layout(*fields)
    return helper


def filter_panel():
    """The filters, in MOJ Frontend's filter panel: checkboxes for short lists, select
    boxes for long ones."""
    return _helper(
        Field.checkboxes("review_type", legend_size=Size.SMALL, small=True),
        Field.checkboxes("rating", legend_size=Size.SMALL, small=True),
        Field.checkboxes("phase", legend_size=Size.SMALL, small=True),
        Field.checkboxes("nation", legend_size=Size.SMALL, small=True),
        _select("region"),
        _select("type"),
        _select("peer_group"),
        _select("council"),
        _select("product"),
        _select("point"),
        Field.radios("point_met", legend_size=Size.SMALL, small=True, inline=True),
    )


def sort_order():
    return _helper(_select("sort"))
