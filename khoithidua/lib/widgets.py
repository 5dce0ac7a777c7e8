"""Widgets that render long option lists without the template engine."""

from __future__ import annotations

from django import forms
from django.forms.models import ModelChoiceIterator
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe


def _attrs(attrs: dict) -> str:
    """The same output as django/forms/widgets/attrs.html, in the same order."""
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            out.append(f" {conditional_escape(name)}")
        else:
            out.append(f' {conditional_escape(name)}="{conditional_escape(str(value))}"')
    return "".join(out)


class PlainSelect(forms.Select):
    """A <select> whose options are written in Python, one element per line.

    Django renders every <option> through two template includes; with a few hundred units
    (a province's registry) that was 85 % of the bloc-year page (issue 15). Same HTML, same
    attributes, same escaping.
    """

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        lines = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
        for group_name, group_choices, _index in widget["optgroups"]:
            if group_name:
                lines.append(format_html('<optgroup label="{}">', group_name))
            for option in group_choices:
                lines.append(
                    f'<option value="{conditional_escape(str(option["value"]))}"'
                    f"{_attrs(option['attrs'])}>{conditional_escape(option['label'])}</option>"
                )
            if group_name:
                lines.append("</optgroup>")
        lines.append("</select>")
        return mark_safe("\n".join(lines))  # noqa: S308 - every piece above is escaped


class ValuesChoiceIterator(ModelChoiceIterator):
    """Choices straight from values_list(pk, label_field): no model instance per option."""

    label_field = "name"

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        yield from self.queryset.values_list("pk", self.label_field).iterator(chunk_size=2000)


class NameChoiceField(forms.ModelChoiceField):
    """A ModelChoiceField labelled by the `name` column, for lists of hundreds of rows."""

    iterator = ValuesChoiceIterator
    widget = PlainSelect
