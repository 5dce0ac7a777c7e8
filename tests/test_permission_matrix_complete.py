"""Every named URL of our apps appears in some tests/**/test_permissions.py matrix."""

from pathlib import Path

from django.urls import get_resolver

APPS = (
    "blocs",
    "meetings",
    "awards",
    "documents",
    "accounts",
    "legal",
    "notices",
    "signing",
    "hall",
    "charts",
)
EXEMPT = {"login", "logout", "set_language", "healthz"}


def _names():
    resolver = get_resolver()
    names = set()
    for namespace, (_, sub) in resolver.namespace_dict.items():
        if namespace in APPS:
            names |= {f"{namespace}:{n}" for n in sub.reverse_dict if isinstance(n, str)}
    names |= {n for n in resolver.reverse_dict if isinstance(n, str) and n not in EXEMPT}
    return names


def test_every_view_is_in_a_permission_matrix():
    text = "\n".join(
        p.read_text(encoding="utf-8") for p in Path(__file__).parent.rglob("test_permissions.py")
    )
    missing = sorted(n for n in _names() if n.split(":")[-1] not in text)
    assert missing == [], f"views without a role × view test: {missing}"
