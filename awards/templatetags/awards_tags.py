from django import template

from blocs.services import unit_lineage

from ..reports import unit_awards as _unit_awards

register = template.Library()


@register.simple_tag
def unit_awards(unit, merged_from=None):
    """Awards of `unit` and of every unit merged into it, newest first.

    `merged_from` is the lineage the unit page already computed (blocs.views.unit_detail puts it
    in the context); without it the lineage is computed here.
    """
    if unit is None:
        return []
    lineage = [unit, *merged_from] if merged_from is not None else unit_lineage(unit)
    return _unit_awards(lineage)
