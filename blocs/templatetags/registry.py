from django import template

from blocs import names
from blocs.models import year_reference_date

register = template.Library()


@register.filter
def name_in_year(obj, year):
    """The name of a unit, bloc or organizer as it was in `year` (its reference date)."""
    if obj is None:
        return ""
    return names.name_on(obj, year_reference_date(int(year)))


@register.filter
def name_on(obj, date):
    """The name of a unit, bloc or organizer on `date` (blocs.names.name_on)."""
    if obj is None or date is None:
        return ""
    if hasattr(date, "date") and callable(date.date):  # a datetime: its local day
        from django.utils import timezone

        date = timezone.localtime(date).date() if timezone.is_aware(date) else date.date()
    return names.name_on(obj, date)


@register.filter
def office_on(organizer, date):
    """The standing office acting for the organizer on `date` (a successor after a merger)."""
    if organizer is None or date is None:
        return ""
    return names.office_name_on(organizer, date)
