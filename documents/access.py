"""Who may see and act on a document version: the one access helper that documents and signing
(ký số) pages share. It raises 404 or 403 like the helpers in blocs/access.py."""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _

from blocs.access import get_bloc_year_for_user

from .models import DocumentVersion


def get_version_for_user(user, pk: int, *, run: bool = False) -> DocumentVersion:
    """A locked version (without its PDF bytes) whose bloc-year the user may see, else 404.
    `run`: one the user may act on (attach a scan, sign): office staff of its organizer or the
    bloc's secretary, else 403."""
    try:
        version = (
            DocumentVersion.objects.select_related("bloc_year__bloc__organizer", "replaces")
            .defer("pdf", "replaces__pdf")
            .get(pk=pk)
        )
    except (DocumentVersion.DoesNotExist, ValueError, TypeError):
        raise Http404(_("Không tìm thấy văn bản.")) from None
    get_bloc_year_for_user(user, version.bloc_year_id, run=run)
    return version
