"""{% once_token %}: a hidden one-time token that makes a form's submission count once.

See khoithidua.once.SubmitOnceMiddleware."""

import secrets

from django import template
from django.utils.html import format_html

from khoithidua.once import ONCE_FIELD

register = template.Library()


@register.simple_tag
def once_token() -> str:
    return format_html(
        '<input type="hidden" name="{}" value="{}">', ONCE_FIELD, secrets.token_urlsafe(16)
    )
