from django.utils.functional import SimpleLazyObject


def notifications(request):
    """`unread_notifications`: counted only when a template shows it (the top bar)."""
    user = getattr(request, "user", None)
    if not getattr(user, "is_authenticated", False):
        return {}
    from .services import unread_count

    return {"unread_notifications": SimpleLazyObject(lambda: unread_count(user))}
