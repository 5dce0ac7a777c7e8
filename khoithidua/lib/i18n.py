"""Sentences translated when they are shown, not when they are built.

Documents are built under the Vietnamese locale (a legal document is in Vietnamese whatever the
reader's interface), but what a clerk must still fill in before a lock is shown in the reader's
language. Mark the msgid with gettext_noop where it is written, so makemessages finds it:

    from django.utils.translation import gettext_noop
    from khoithidua.lib.i18n import shown_later
    shown_later(gettext_noop("Các đơn vị chưa ký giao ước: %(units)s."), units="…")

The value is a lazy str: it compares, joins and renders as the text in the active language.
"""

from __future__ import annotations

from django.utils.functional import lazy
from django.utils.translation import gettext


def _render(message: str, params: dict) -> str:
    text = gettext(message)
    if not params:
        return text
    return text % {key: str(value) for key, value in params.items()}


_render_lazy = lazy(_render, str)


def shown_later(message: str, **params):
    """`message` (a msgid) with `params`, translated into the language active when shown."""
    return _render_lazy(message, params)
