"""Where a document prints its signature blocks, read from WeasyPrint's layout (never hard-coded).

A print template marks the space left for a signature either with `data-sign-role="…"` (and
optionally `data-sign-name`) or, as the current templates do, with a `.sign-space` /
`.sign-space-small` element inside a cell holding `.sign-role` (title) and `.sign-name` (name).
The boxes are given in PDF user space: points, origin at the bottom left of the page.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass

PX_TO_PT = 0.75  # CSS px (1/96 in) to PDF points (1/72 in)
SPACE_CLASSES = ("sign-space", "sign-space-small")


@dataclass(frozen=True)
class SignBox:
    role: str
    name: str
    page: int  # 0-based
    x: float
    y: float
    width: float
    height: float

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


def _classes(element) -> set[str]:
    return set((element.get("class") or "").split())


def _text(element) -> str:
    return " ".join("".join(element.itertext()).split())


def _walk(box, ancestors):
    yield box, ancestors
    for child in getattr(box, "children", None) or ():
        yield from _walk(child, (*ancestors, box))


def _cell_texts(ancestors, cls: str) -> str:
    """The text of the `cls` elements of the nearest ancestor table cell (or block) holding any."""
    for ancestor in reversed(ancestors):
        element = getattr(ancestor, "element", None)
        if element is None:
            continue
        found = [e for e in element.iter() if cls in _classes(e)]
        if found:
            return " – ".join(t for t in (_text(e) for e in found) if t)
    return ""


def boxes_from_document(document) -> list[SignBox]:
    """The signature boxes of a rendered WeasyPrint document, in reading order."""
    boxes: list[SignBox] = []
    seen = set()
    for page_no, page in enumerate(document.pages):
        page_height = page.height
        for box, ancestors in _walk(page._page_box, ()):
            element = getattr(box, "element", None)
            if element is None or id(element) in seen:
                continue
            role = element.get("data-sign-role")
            if role is None and not (_classes(element) & set(SPACE_CLASSES)):
                continue
            if getattr(box, "element_tag", None) is None or not hasattr(box, "border_height"):
                continue
            seen.add(id(element))  # a box split over two pages: its first fragment
            if role is None:
                role = _cell_texts(ancestors, "sign-role")
                name = _cell_texts(ancestors, "sign-name")
            else:
                name = element.get("data-sign-name") or _cell_texts(ancestors, "sign-name")
            width = box.border_width() * PX_TO_PT
            height = box.border_height() * PX_TO_PT
            x = box.border_box_x() * PX_TO_PT
            top = box.border_box_y() * PX_TO_PT
            y = page_height * PX_TO_PT - top - height
            boxes.append(
                SignBox(
                    role=role.upper(),
                    name=name,
                    page=page_no,
                    x=round(x, 2),
                    y=round(y, 2),
                    width=round(width, 2),
                    height=round(height, 2),
                )
            )
    return boxes


def render_boxes(version) -> tuple[list[SignBox], bool]:
    """Render the version's snapshot as `document_finalize` did and read the boxes off the
    layout. `exact` says whether that rendering is byte-identical to the finalized PDF (it is,
    unless the print templates changed since)."""
    from weasyprint import HTML

    from documents import rendering, services

    html = services.render_snapshot_html(
        version.kind, version.snapshot, stamp=services.stamp_of(version), for_pdf=True
    )
    css, font_config = rendering._print_stylesheet()
    document = HTML(
        string=html, base_url=rendering.PRINT_BASE_URL, url_fetcher=rendering.LocalFetcher()
    ).render(stylesheets=[css], font_config=font_config)
    pdf = document.write_pdf()
    exact = hashlib.sha256(pdf).hexdigest() == version.pdf_sha256
    return boxes_from_document(document), exact
