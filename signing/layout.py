"""Where a document prints its signature blocks, as the documents app reads them off WeasyPrint's
layout at finalize time (`DocumentVersion.signature_boxes`: elements marked `data-sign-role` in
the print templates) — never hard-coded coordinates.

Versions finalized before the boxes were stored get them once from a fresh rendering of their
snapshot (`render_boxes`), kept in `VersionLayout`; `exact` says whether that rendering is the
finalized PDF byte for byte (it is unless the print templates changed since).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import asdict, dataclass

from django.utils.translation import gettext as _


def role_label(role: str) -> str:
    """The role of a signature block as the clerk reads it."""
    labels = {
        "secretary": _("Thư ký"),
        "chair": _("Chủ trì"),
        "bloc-leader": _("Khối trưởng (thay mặt khối)"),
    }
    if role in labels:
        return labels[role]
    if match := re.fullmatch(r"committee-(\d+)", role):
        return _("Ban kiểm phiếu, thành viên %(n)s") % {"n": match.group(1)}
    if match := re.fullmatch(r"unit-(\d+)", role):
        return _("Đơn vị ký giao ước số %(n)s") % {"n": match.group(1)}
    return role


@dataclass(frozen=True)
class SignBox:
    role: str  # stable code: "secretary", "chair", "bloc-leader", "committee-1", "unit-3" …
    name: str  # the signer's name printed under the block, when the document gives it
    page: int  # 0-based
    x: float  # PDF points, origin at the bottom left of the page
    y: float
    width: float
    height: float

    @property
    def label(self) -> str:
        return role_label(self.role)

    @property
    def rect(self) -> tuple[float, float, float, float]:
        return (self.x, self.y, self.x + self.width, self.y + self.height)

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> SignBox:
        return cls(
            role=str(data.get("role", "")),
            name=str(data.get("name", "")),
            page=int(data["page"]),
            x=float(data["x"]),
            y=float(data["y"]),
            width=float(data["width"]),
            height=float(data["height"]),
        )


def render_boxes(version) -> tuple[list[SignBox], bool]:
    """Render the version's snapshot as finalize did and take the boxes of that layout."""
    from documents import services

    rendered = services.snapshot_rendered(
        version.kind, version.snapshot, stamp=services.stamp_of(version)
    )
    exact = hashlib.sha256(rendered.pdf).hexdigest() == version.pdf_sha256
    return [SignBox.from_dict(b) for b in rendered.signature_boxes], exact
