"""Who may record legal texts and signers.

- A national text (no organizer): the superuser, or office staff of a central-level organizer
  (Ban Thi đua – Khen thưởng Trung ương), whose texts every document in the country cites.
- A province's own text: that province's office staff.
- A unit's head: office staff of the unit's organizer.
- The bloc's representative for a year: whoever runs the bloc (office staff, the secretary).
Reading the list of texts: any office staff.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from blocs.access import can_manage_organizer, roles_of
from blocs.models import Level, Organizer


def can_manage_national_texts(user) -> bool:
    roles = roles_of(user)
    if roles.superuser:
        return True
    return Organizer.objects.filter(pk__in=roles.organizer_ids, level=Level.CENTRAL).exists()


def can_manage_text_scope(user, organizer_id: int | None) -> bool:
    if organizer_id is None:
        return can_manage_national_texts(user)
    return can_manage_organizer(user, organizer_id)


def require_text_scope(user, organizer_id: int | None) -> None:
    if not can_manage_text_scope(user, organizer_id):
        raise PermissionDenied(
            _(
                "Văn bản áp dụng toàn quốc do Ban Thi đua – Khen thưởng Trung ương cập nhật; "
                "văn bản của tỉnh do cán bộ của tỉnh đó cập nhật."
            )
        )
