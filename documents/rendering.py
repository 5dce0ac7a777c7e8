"""The print pipeline shared by every document: Django template -> HTML -> WeasyPrint -> PDF.

WeasyPrint never touches the network: `LocalFetcher` serves `/static/…` from disk (through the
staticfiles finders) and `data:` URIs, and refuses every other URL with a fatal error, so a
document that refers to anything remote fails loudly instead of fetching it.
"""

from __future__ import annotations

import mimetypes
import threading
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

# Relative URLs in print templates ("/static/css/print.css") resolve against this base. The
# host is reserved (.invalid) so nothing could ever be fetched from it.
PRINT_BASE_URL = "https://print.khoithidua.invalid/"


class RefusedURL(FatalURLFetchingError):
    """A print template referred to a URL that is not one of our static files."""


def static_path(relative: str) -> Path | None:
    """The file on disk behind a static path such as "css/print.css", or None."""
    relative = relative.lstrip("/")
    if ".." in Path(relative).parts:
        return None
    found = finders.find(relative)
    if found:
        return Path(found)
    if settings.STATIC_ROOT:
        candidate = Path(settings.STATIC_ROOT) / relative
        if candidate.is_file():
            return candidate
    return None


class LocalFetcher(URLFetcher):
    """Serves static files from disk and data: URIs; refuses everything else."""

    def __init__(self):
        super().__init__(allowed_protocols=["data"], fail_on_errors=True)

    def fetch(self, url, headers=None):
        if url.startswith("data:"):
            return super().fetch(url, headers)
        prefix = PRINT_BASE_URL.rstrip("/") + settings.STATIC_URL
        if url.startswith(prefix):
            relative = url[len(prefix) :].split("?")[0].split("#")[0]
            path = static_path(relative)
            if path is not None:
                mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": mime})
        raise RefusedURL(f"Văn bản in không được tải tài nguyên ngoài: {url}")


def render_html(template: str, context: dict) -> str:
    return render_to_string(template, context)


_cache = threading.local()


def local_fetcher() -> LocalFetcher:
    """One fetcher per thread: building one sets up SSL handlers (~17 ms), every render paid it."""
    fetcher = getattr(_cache, "fetcher", None)
    if fetcher is None:
        fetcher = _cache.fetcher = LocalFetcher()
    return fetcher


def _print_stylesheet() -> tuple[CSS, FontConfiguration]:
    """print.css parsed once per thread, with its @font-face fonts loaded (saves ~50 ms a render)."""
    path = static_path("css/print.css")
    mtime = path.stat().st_mtime if path else 0
    cached = getattr(_cache, "print_css", None)
    if cached is None or cached[0] != mtime:
        font_config = FontConfiguration()
        css = CSS(
            string=path.read_text(encoding="utf-8"),
            base_url=PRINT_BASE_URL + "static/css/print.css",
            url_fetcher=local_fetcher(),
            font_config=font_config,
        )
        cached = _cache.print_css = (mtime, css, font_config)
    return cached[1], cached[2]


# CSS pixels to PDF points (WeasyPrint lays out at 96 px per inch; PDF has 72 points per inch).
PX_TO_PT = 0.75
SIGN_ROLE_ATTRIBUTE = "data-sign-role"


@dataclass(frozen=True)
class Rendered:
    """A rendered PDF and where its signature spaces are (see `signature_boxes`)."""

    pdf: bytes
    signature_boxes: list[dict]


def render_pdf(html: str, *, print_css: bool = False) -> Rendered:
    """Render HTML to PDF bytes and the signature boxes of its layout, in one layout pass.

    Deterministic: the same HTML gives the same bytes. With `print_css`, the cached print
    stylesheet is applied (templates rendered with `for_pdf=True` leave out their <link> to
    it); otherwise only what the HTML links.
    """
    source = HTML(string=html, base_url=PRINT_BASE_URL, url_fetcher=local_fetcher())
    if print_css:
        css, font_config = _print_stylesheet()
        document = source.render(stylesheets=[css], font_config=font_config)
    else:
        document = source.render(font_config=FontConfiguration())
    boxes = signature_boxes(document)
    return Rendered(document.write_pdf(), boxes)


def html_to_pdf(html: str, *, print_css: bool = False) -> bytes:
    return render_pdf(html, print_css=print_css).pdf


def signature_boxes(document) -> list[dict]:
    """Every element marked `data-sign-role="…"` in the print templates, as laid out.

    One dict per element: its role (stable across versions: "chair", "secretary",
    "bloc-leader", "committee-1", "unit-<id>"…), the signer's name when the template gives it
    (`data-sign-name`), the page index (0-based) and the rectangle in PDF user space: points,
    origin at the bottom-left corner of the page, (x, y) the lower-left corner. This is where a
    signature image or a digital-signature field goes (between the title and the name).
    """
    out = []
    for index, page in enumerate(document.pages):
        page_height = page.height
        for box in page._page_box.descendants():
            element = getattr(box, "element", None)
            if element is None or getattr(box, "element_tag", None) is None:
                continue
            role = element.get(SIGN_ROLE_ATTRIBUTE)
            if not role or box.element_tag.startswith("::") or element.tag != box.element_tag:
                continue
            if any(b["role"] == role and b["page"] == index for b in out):
                continue  # the same element split over several boxes on one page: keep the first
            x, y = box.border_box_x(), box.border_box_y()
            width, height = box.border_width(), box.border_height()
            out.append(
                {
                    "role": role,
                    "name": element.get("data-sign-name", ""),
                    "page": index,
                    "x": round(x * PX_TO_PT, 2),
                    "y": round((page_height - y - height) * PX_TO_PT, 2),
                    "width": round(width * PX_TO_PT, 2),
                    "height": round(height * PX_TO_PT, 2),
                }
            )
    return out
