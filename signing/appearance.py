"""How a signature looks on the page, per Nghị định 30/2020/NĐ-CP, Phụ lục I (văn bản điện tử):

- the person's digital signature shows the image of their handwritten signature (transparent
  PNG), centred between the signer's title and name, i.e. in the space the document leaves
  for the signature;
- the organisation's digital signature shows the image of its seal, red, at the seal's real
  size (transparent PNG), covering about one third of the person's signature image on its
  left; with it, as text: the organisation's name and the signing time (ISO 8601, Vietnam's
  time zone), Times New Roman–metric, upright, 10 pt, black. The decree does not place this
  text; it goes under the seal, where it clears the title above and the neighbouring blocks.

Positions come from the document's layout (`layout.SignBox`), never from constants tied to a
template. The appearance is a small PDF page drawn by WeasyPrint (the vendored Liberation Serif,
so Vietnamese renders), imported by pyHanko as the signature widget's appearance.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
import threading
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from pyhanko.pdf_utils import content, layout
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.stamp import StaticStampStyle, TextStampStyle
from pyhanko.stamp.static import StaticContentStamp

from .layout import SignBox

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
MM = 72 / 25.4  # points per millimetre
SIGNATURE_MAX_WIDTH = 50 * MM  # a handwritten signature is at most about 5 cm wide
ORG_TEXT_WIDTH = 50 * MM
ORG_TEXT_HEIGHT = 3 * 10 * 1.15 + 4  # three lines of 10 pt, and a little air
FALLBACK_SIGNATURE_SIZE = (1000, 400)  # aspect of the text-only appearance (no image uploaded)

APPEARANCE_CSS = """
@font-face { font-family: "KTD Serif"; src: url("/static/fonts/LiberationSerif-Regular.ttf"); font-weight: normal; font-style: normal; }
@font-face { font-family: "KTD Serif"; src: url("/static/fonts/LiberationSerif-Italic.ttf"); font-weight: normal; font-style: italic; }
html { font-family: "KTD Serif", serif; font-size: 10pt; line-height: 1.15; color: #000; }
body { margin: 0; }
img, .text { position: absolute; display: block; }
.text { text-align: center; font-style: normal; }
.fallback { text-align: center; font-style: italic; }
"""


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    width: float
    height: float

    @property
    def pdf(self) -> tuple[float, float, float, float]:
        return (self.x, self.y, self.x + self.width, self.y + self.height)

    @property
    def center_y(self) -> float:
        return self.y + self.height / 2

    @classmethod
    def from_pdf(cls, rect) -> Rect:
        x1, y1, x2, y2 = rect
        return cls(x1, y1, x2 - x1, y2 - y1)


def vn_iso(moment: dt.datetime) -> str:
    """ISO 8601 in Vietnam's time zone, to the second: 2026-11-30T10:15:03+07:00."""
    return moment.astimezone(VN_TZ).replace(microsecond=0).isoformat()


# --- geometry -------------------------------------------------------------------------------


def signature_rect(
    box: SignBox, image_size: tuple[int, int] | None, width_mm: float | None = None
) -> Rect:
    """The person's signature image centred in the box's space, keeping the image's
    proportions: at its real width (`width_mm`, as the signer gave it) or, without it, at most
    5 cm wide; smaller when the space is smaller."""
    w_px, h_px = image_size or FALLBACK_SIGNATURE_SIZE
    max_w = min(box.width, float(width_mm) * MM if width_mm else SIGNATURE_MAX_WIDTH)
    max_h = box.height
    scale = min(max_w / w_px, max_h / h_px)
    width, height = w_px * scale, h_px * scale
    return Rect(box.x + (box.width - width) / 2, box.y + (box.height - height) / 2, width, height)


def seal_rect(signature: Rect, seal_mm: float) -> Rect:
    """The seal at its real size, covering the left third of the signature image, level with
    its middle."""
    d = seal_mm * MM
    right = signature.x + signature.width / 3
    return Rect(right - d, signature.center_y - d / 2, d, d)


def org_rect(seal: Rect) -> Rect:
    """The organisation's signature field: the seal, and under it the information text (name,
    signing time), centred on the seal. Below the seal the text clears the signer's title
    above and the neighbouring signature blocks at the sides."""
    width = max(seal.width, ORG_TEXT_WIDTH)
    return Rect(
        seal.x + seal.width / 2 - width / 2,
        seal.y - ORG_TEXT_HEIGHT,
        width,
        seal.height + ORG_TEXT_HEIGHT,
    )


def seal_within(field: Rect, seal_mm: float) -> Rect:
    """Where `org_rect` put the seal inside its field (top, centred)."""
    d = seal_mm * MM
    return Rect(field.x + (field.width - d) / 2, field.y + field.height - d, d, d)


# --- drawing --------------------------------------------------------------------------------

_cache = threading.local()


def _stylesheet():
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    from documents import rendering

    cached = getattr(_cache, "css", None)
    if cached is None:
        font_config = FontConfiguration()
        css = CSS(
            string=APPEARANCE_CSS,
            base_url=rendering.PRINT_BASE_URL + "static/css/signing.css",
            url_fetcher=rendering.local_fetcher(),
            font_config=font_config,
        )
        cached = _cache.css = (css, font_config)
    return cached


def _png_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def render_page(body: str, width: float, height: float) -> bytes:
    """A one-page PDF of exactly width × height points holding `body`."""
    from weasyprint import HTML

    from documents import rendering

    css, font_config = _stylesheet()
    page = (
        f"<!doctype html><html lang='vi'><head><meta charset='utf-8'><style>"
        f"@page {{ size: {width:.2f}pt {height:.2f}pt; margin: 0 }}</style></head>"
        f"<body>{body}</body></html>"
    )
    return HTML(
        string=page, base_url=rendering.PRINT_BASE_URL, url_fetcher=rendering.local_fetcher()
    ).write_pdf(stylesheets=[css], font_config=font_config)


def person_page(rect: Rect, *, image_png: bytes | None, signer_name: str, moment: dt.datetime):
    if image_png:
        body = (
            f'<img src="{_png_uri(image_png)}" alt="" '
            f'style="left:0;top:0;width:{rect.width:.2f}pt;height:{rect.height:.2f}pt">'
        )
    else:
        body = (
            f'<div class="fallback" style="left:0;top:0;width:{rect.width:.2f}pt;'
            f'padding-top:{max(rect.height / 2 - 12, 0):.2f}pt">'
            f"{html.escape(signer_name)}<br>{html.escape(vn_iso(moment))}</div>"
        )
    return render_page(body, rect.width, rect.height)


def org_page(
    field: Rect, seal: Rect, *, seal_png: bytes | None, org_name: str, moment: dt.datetime
) -> bytes:
    lines = f"{html.escape(org_name)}<br>{html.escape(vn_iso(moment))}"
    parts = []
    if seal_png:
        parts.append(
            f'<img src="{_png_uri(seal_png)}" alt="" style="left:{seal.x - field.x:.2f}pt;'
            f"top:{field.y + field.height - seal.y - seal.height:.2f}pt;"
            f'width:{seal.width:.2f}pt;height:{seal.height:.2f}pt">'
        )
    parts.append(
        f'<div class="text" style="left:0;top:{seal.height + 3:.2f}pt;'
        f'width:{field.width:.2f}pt">{lines}</div>'
    )
    return render_page("".join(parts), field.width, field.height)


# --- pyHanko glue ---------------------------------------------------------------------------


class PdfPageContent(content.PdfContent):
    """The first page of an in-memory PDF as a form XObject (pyHanko's ImportedPdfPage reads
    from a file name; uploads never touch the disk)."""

    def __init__(self, data: bytes):
        self.data = data
        super().__init__()

    def render(self) -> bytes:
        writer = self._ensure_writer
        xobj = writer.import_page_as_xobject(PdfFileReader(io.BytesIO(self.data)), page_ix=0)
        self.resources.xobject["/KtdAppearance"] = xobj
        x1, y1, x2, y2 = xobj.get_object()["/BBox"]
        self.box = layout.BoxConstraints(width=abs(x2 - x1), height=abs(y2 - y1))
        return b"/KtdAppearance Do"


@dataclass(frozen=True)
class DrawnStampStyle(TextStampStyle):
    """A stamp style whose appearance is drawn for the signing time pyHanko puts in the
    signature (so the time on the page is the time in the signature). pyHanko only hands the
    time to text stamp styles, hence the base class; nothing of its text machinery is used."""

    draw: object = None  # Callable[[datetime], bytes]: the appearance page for that time
    timestamp_format: str = "%Y-%m-%dT%H:%M:%S%:z"
    border_width: int = 0

    def create_stamp(self, writer, box, text_params):
        moment = dt.datetime.fromisoformat(text_params["ts"])
        style = StaticStampStyle(
            background=PdfPageContent(self.draw(moment)),
            border_width=0,
            background_opacity=1.0,
            background_layout=layout.SimpleBoxLayoutRule(
                x_align=layout.AxisAlignment.ALIGN_MID,
                y_align=layout.AxisAlignment.ALIGN_MID,
                margins=layout.Margins.uniform(0),
            ),
        )
        return StaticContentStamp(writer=writer, style=style, box=box)
