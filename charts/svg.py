"""Charts as SVG on the server, with pygal, made safe for the strict CSP and for print.

pygal lays the chart out (scales, ticks, bars, stacking, legends, links per value). What it
emits for a browser with JavaScript is removed here, on the element tree (`render_tree`):

- its `<script>` (configuration and tooltips) and its `<style>` (an inline style element that the
  page's `style-src 'self'` would block): the look comes from `static/css/charts.css`, linked by
  the page, and the same file is embedded in the standalone SVG used for export and PDFs;
- the JavaScript tooltip layer, the coordinate `<desc>`s meant for it, and pygal's ids (the
  legend's ids repeat when a page holds two charts);
- every `style` attribute (pygal writes one, on the tooltip layer).

What is added: `role="img"`, a `<title>` and a `<desc>` named by `aria-labelledby`, and on each
bar a `<title>` (the browser's own tooltip, no JavaScript) with the value as the table reads.
Reference lines (award cut-offs in a ranking, the vote threshold) are drawn by a small subclass
hook, `KtLines`, through pygal's own projection (`self.view`).
"""

from __future__ import annotations

import re
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path

import pygal
from django.conf import settings
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from pygal.etree import etree as ET
from pygal.style import Style

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"

CSS_PATH = Path(settings.BASE_DIR) / "static" / "css" / "charts.css"

# Sizes used by pygal's layout (margins, label widths); the colours come from charts.css.
SCREEN_STYLE = dict(
    background="transparent",
    plot_background="transparent",
    font_family="inherit",
    label_font_size=13,
    major_label_font_size=13,
    legend_font_size=13,
    title_font_size=16,
    value_font_size=12,
    value_label_font_size=12,
    tooltip_font_size=13,
)


@dataclass(frozen=True)
class Cell:
    text: str
    href: str = ""
    num: bool = False


@dataclass(frozen=True)
class Table:
    """The chart's data as a table (shown beside the chart, behind a toggle)."""

    headers: list[str]
    rows: list[list[Cell]]
    numeric: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Line:
    """A reference line across the plot.

    `value`: at a value of the value axis (a vote threshold). `after`: between the `after`-th and
    the next category slot (the cut-off below the N best units of a ranking).
    """

    label: str
    value: float | None = None
    after: int | None = None
    kind: str = "threshold"


class KtLines:
    """Mixin for a pygal chart class: draws `kt_lines` after the series, in pygal's projection.

    It also trims what pygal spends its time on for nothing here (profiled on the province
    overview, issue 16): pygal's own `__getattribute__` runs on every attribute read (~7 000 per
    chart) and looks the name up through a recursive `getattr`; and its `pre_render` builds a
    `<style>` (a CSS template) and a `<script>` (the whole config as JSON, via `dir()`) that
    `clean_tree` removes anyway.
    """

    kt_lines: tuple[Line, ...] = ()

    def __getattribute__(self, name):
        # pygal.graph.base.BaseGraph.__getattribute__, same lookup, without the recursion:
        # while rendering, a name held by the transient state comes from the state.
        if name[:2] != "__" and name != "state":
            state = object.__getattribute__(self, "__dict__").get("state")
            if state is not None:
                values = state.__dict__
                if name in values:
                    return values[name]
        return object.__getattribute__(self, name)

    def _draw(self):
        super()._draw()
        # called by setup() just before svg.pre_render(): keep only its viewBox and size
        self.svg.pre_render = self._kt_pre_render

    def _kt_pre_render(self):
        root = self.svg.root
        root.set("viewBox", f"0 0 {int(self.width)} {int(self.height)}")
        if self.explicit_size:
            root.set("width", str(self.width))
            root.set("height", str(self.height))

    def _tooltip_data(self, node, value, x, y, classes=None, xlabel=None):
        """No JavaScript tooltip data: each bar carries a `<title>` (metadata "tooltip")."""

    def _plot(self):
        super()._plot()
        plot = self.nodes["plot"]
        width, height = self.view.width, self.view.height
        for line in self.kt_lines:
            group = self.svg.node(plot, class_=f"kt-line kt-line-{line.kind}")
            if line.value is not None:
                # view.y projects a value: as x on a horizontal chart, as y on a vertical one
                at = self.view.y(line.value)
                if self.horizontal:
                    self.svg.node(group, "path", d=f"M{at:.2f} 0 v{height:.2f}")
                    # above the plot, right of the line; ending at the plot's edge when the
                    # text (12px bold: ~0.6em a character) would run out of the picture
                    if at + 4 + len(line.label) * 7.2 <= width:
                        label = self.svg.node(group, "text", x=f"{at + 4:.2f}", y="-4")
                    else:
                        label = self.svg.node(group, "text", x=f"{width:.2f}", y="-4", class_="end")
                else:
                    self.svg.node(group, "path", d=f"M0 {at:.2f} h{width:.2f}")
                    label = self.svg.node(
                        group, "text", x=f"{width - 4:.2f}", y=f"{at - 5:.2f}", class_="end"
                    )
                label.text = line.label
            elif line.after is not None and self._len:
                # the boundary between category slots `after - 1` and `after`
                at = self.view.x(line.after / self._len)
                if self.horizontal:
                    self.svg.node(group, "path", d=f"M0 {at:.2f} h{width:.2f}")
                    label = self.svg.node(
                        group, "text", x=f"{width - 4:.2f}", y=f"{at - 4:.2f}", class_="end"
                    )
                else:
                    self.svg.node(group, "path", d=f"M{at:.2f} 0 v{height:.2f}")
                    label = self.svg.node(group, "text", x=f"{at + 4:.2f}", y="12")
                label.text = line.label


class HorizontalBar(KtLines, pygal.HorizontalBar):
    pass


class HorizontalStackedBar(KtLines, pygal.HorizontalStackedBar):
    pass


class Bar(KtLines, pygal.Bar):
    pass


CHART_CLASSES = {
    "hbar": HorizontalBar,
    "hstack": HorizontalStackedBar,
    "bar": Bar,
}


@dataclass(frozen=True)
class Series:
    name: str
    values: list  # numbers (or None), in category order
    links: list[str] | None = None
    tips: list[str] | None = None  # one tooltip per value (the bar's <title>)


@dataclass
class Chart:
    """A chart described by plain data: rendered inline (page), standalone (export) or print."""

    key: str  # unique on a page and a file name: "xep-hang-2025"
    kind: str  # hbar | hstack | bar
    title: str
    desc: str
    categories: list[str]
    series: list[Series]
    table: Table
    lines: list[Line] = field(default_factory=list)
    value_format: Callable[[float], str] = str
    legend: bool = True
    print_values: bool = False
    min_value: float | None = None
    max_value: float | None = None
    ticks: list[float] | None = None  # the value axis' labels (counts: whole numbers only)
    slot_height: int = 26  # px per category (horizontal charts)
    width: int = 800
    height: int | None = None
    note: str = ""
    export_url: str = ""  # where the SVG/PNG downloads live (empty: no export links)

    # --- rendering ---------------------------------------------------------------------------

    @property
    def is_empty(self) -> bool:
        """Nothing to draw (no category, or every value empty or zero): the page says so."""
        return not self.categories or not any(v for s in self.series for v in s.values)

    @property
    def computed_height(self) -> int:
        if self.height:
            return self.height
        legend_rows = (len(self.series) + 2) // 3 if self.show_legend else 0
        top = 24 if any(ln.value is not None for ln in self.lines) else 0
        if self.kind in ("hbar", "hstack"):
            per = self.slot_height * (len(self.series) if self.kind == "hbar" else 1)
            return max(140, 60 + top + per * max(1, len(self.categories)) + 30 * legend_rows)
        return 360 + top + 30 * legend_rows

    @property
    def show_legend(self) -> bool:
        return self.legend and (len(self.series) > 1 or self.kind == "hstack")

    def _pygal(self, *, standalone: bool) -> pygal.graph.graph.Graph:
        cls = CHART_CLASSES[self.kind]
        config = pygal.Config(
            style=Style(**SCREEN_STYLE),
            width=self.width,
            height=self.computed_height,
            js=[],
            css=[],
            disable_xml_declaration=True,
            explicit_size=standalone,
            show_legend=self.show_legend,
            y_labels=self.ticks,
            margin_top=36 if any(ln.value is not None for ln in self.lines) else 12,
            # pygal puts a bottom legend under the axis labels, at the margin: room for it
            margin_bottom=12 + (24 * ((len(self.series) + 2) // 3) if self.show_legend else 0),
            legend_at_bottom=True,
            legend_at_bottom_columns=3,
            truncate_label=-1,
            truncate_legend=-1,
            print_values=self.print_values,
            value_formatter=self.value_format,
            formatter=self.value_format,
            margin=12,
            spacing=8,
            no_data_text="",
            title=self.title if standalone else None,
            include_x_axis=True,
            x_labels=self.categories,
            range=(self.min_value, self.max_value)
            if self.min_value is not None and self.max_value is not None
            else None,
            classes=["kt-chart", f"kt-chart-{self.kind}"],
        )
        if self.min_value is not None:
            config.zero = 0
        chart = cls(config)
        chart.kt_lines = tuple(self.lines)
        for s in self.series:
            values = []
            for i, v in enumerate(s.values):
                item = {"value": None if v is None else float(v)}
                if s.links and s.links[i]:
                    item["xlink"] = {"href": s.links[i], "target": "_top"}
                if s.tips and s.tips[i]:
                    item["tooltip"] = s.tips[i]
                values.append(item)
            chart.add(s.name, values)
        return chart

    def _tree(self, *, standalone: bool) -> ET.Element:
        root = self._pygal(standalone=standalone).render_tree()
        return clean_tree(
            root, key=self.key, title=self.title, desc=self.desc, standalone=standalone
        )

    @cached_property
    def inline_svg(self) -> SafeString:
        """The `<svg>` to put in a page: no script, no style element or attribute."""
        return mark_safe(ET.tostring(self._tree(standalone=False), encoding="unicode"))

    def standalone_svg(self, *, printable: bool = False) -> str:
        """A self-contained SVG file (slides, PDFs): the stylesheet embedded, a pixel size."""
        root = self._tree(standalone=True)
        ns = root.tag[: root.tag.index("}") + 1] if root.tag.startswith("{") else ""
        style = root.makeelement(f"{ns}style", {})
        style.text = chart_css(printable=printable)
        root.insert(0, style)
        root.set(
            "class",
            root.get("class", "") + (" kt-standalone kt-print" if printable else " kt-standalone"),
        )
        return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode")

    def png(self, *, scale: float = 2.0) -> bytes:
        return svg_to_png(self.standalone_svg(), self.width, self.computed_height, scale=scale)

    def print_img(self) -> SafeString:
        """An `<img>` for a WeasyPrint document: the black-and-white print variant as data URI."""
        import base64

        data = base64.b64encode(self.standalone_svg(printable=True).encode()).decode()
        return format_html(
            '<img class="doc-chart" src="data:image/svg+xml;base64,{}" alt="{}">',
            data,
            self.title,
        )

    # --- what the tests and the table read ------------------------------------------------------

    def values_by_category(self) -> dict[str, list]:
        return {c: [s.values[i] for s in self.series] for i, c in enumerate(self.categories)}


def _local(el) -> str:
    """The tag without its namespace (pygal's lxml tree has none, xml.etree's has)."""
    return el.tag.rsplit("}", 1)[-1] if isinstance(el.tag, str) else ""


def _zero_size(bar) -> bool:
    rect = next((e for e in bar.iter() if _local(e) == "rect"), None)
    return rect is not None and not (rect.get("width") and rect.get("height"))


_STRIP_DESC = {"x", "y", "xlink", "value", "x_label", "x centered", "y centered"}


def clean_tree(
    root: ET.Element, *, key: str, title: str, desc: str, standalone: bool
) -> ET.Element:
    """Remove what needs JavaScript or inline styles; add the accessible name and description."""
    ns = root.tag[: root.tag.index("}") + 1] if root.tag.startswith("{") else ""
    slug = re.sub(r"[^a-z0-9-]+", "-", key.lower()).strip("-") or "chart"
    parents = {child: parent for parent in root.iter() for child in parent}
    for el in list(root.iter()):
        parent = parents.get(el)
        if not isinstance(el.tag, str):  # comments ("Generated with pygal")
            parent.remove(el)
            continue
        tag = _local(el)
        cls = el.get("class", "")
        if tag in ("script", "style") or (tag == "g" and "tooltip-overlay" in cls):
            parent.remove(el)
            continue
        if tag == "g" and cls == "bar" and _zero_size(el):
            parent.remove(el)  # a value of 0: no invisible rectangle, no invisible link
            continue
        if tag == "desc" and cls in _STRIP_DESC:
            parent.remove(el)  # what pygal keeps for its JavaScript tooltips
            continue
        if tag == "title" and parent is not None and "guides" in parent.get("class", ""):
            parent.remove(el)  # pygal's axis-position titles ("0.25") say nothing to a reader
            continue
        el.attrib.pop("style", None)
        if el is not root:
            el.attrib.pop("id", None)
    for el in list(root):
        if _local(el) == "defs" and len(el) == 0:
            root.remove(el)
        elif _local(el) == "title":
            root.remove(el)
    root.set("id", f"chart-{slug}")
    root.set("role", "img")
    root.set("aria-labelledby", f"chart-{slug}-title chart-{slug}-desc")
    t = root.makeelement(f"{ns}title", {"id": f"chart-{slug}-title"})
    t.text = title
    d = root.makeelement(f"{ns}desc", {"id": f"chart-{slug}-desc"})
    d.text = desc
    root.insert(0, d)
    root.insert(0, t)
    return root


@cache
def _css_file() -> str:
    return CSS_PATH.read_text(encoding="utf-8")


def chart_css(*, printable: bool = False) -> str:
    """charts.css, for a standalone SVG (its rules are scoped under `.kt-chart`)."""
    return _css_file()


def svg_to_png(svg: str, width: int, height: int, *, scale: float = 2.0) -> bytes:
    """SVG → PNG without network or cairo: WeasyPrint draws a one-page PDF, pdftoppm rasterises.

    Both are already needed by the documents (WeasyPrint) and shipped in the image
    (poppler-utils), and the fonts are the vendored Liberation Serif.
    """
    import base64

    from weasyprint import HTML

    data = base64.b64encode(svg.encode()).decode()
    fonts = Path(settings.BASE_DIR) / "static" / "fonts"
    html = f"""<!doctype html><html><head><style>
@font-face {{ font-family: "Liberation Serif"; src: url("{(fonts / "LiberationSerif-Regular.ttf").as_uri()}"); }}
@font-face {{ font-family: "Liberation Serif"; font-weight: bold;
  src: url("{(fonts / "LiberationSerif-Bold.ttf").as_uri()}"); }}
@page {{ size: {width}px {height}px; margin: 0; }}
html, body {{ margin: 0; background: #fff; }}
img {{ display: block; width: {width}px; height: {height}px; }}
</style></head><body><img src="data:image/svg+xml;base64,{data}" alt=""></body></html>"""
    pdf = HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "chart.pdf"
        src.write_bytes(pdf)
        # 1px = 1/96 in; at `scale` the PNG is width*scale pixels wide
        dpi = str(round(96 * scale))
        subprocess.run(
            ["pdftoppm", "-png", "-singlefile", "-r", dpi, str(src), str(Path(tmp) / "chart")],
            check=True,
            capture_output=True,
            timeout=30,
        )
        return (Path(tmp) / "chart.png").read_bytes()
