from django import template

register = template.Library()


@register.filter
def name_in_year(unit, year):
    """The unit's name as it was in `year` (uses prefetched former names)."""
    if unit is None:
        return ""
    return unit.name_in_year(int(year))


@register.filter
def name_on(unit, date):
    if unit is None:
        return ""
    return unit.name_on(date)


@register.simple_tag
def page_url(querydict, page):
    """The current query string with `page` replaced."""
    q = querydict.copy()
    q["page"] = page
    return "?" + q.urlencode()
