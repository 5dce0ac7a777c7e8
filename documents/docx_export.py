"""DOCX export (python-docx) of every signed document type (biên bản hội nghị, giấy mời, biên bản
kiểm phiếu, bản giao ước, báo cáo, tờ trình), with the print layout:
A4 and ND30 margins, a two-column header table (issuing body | Quốc hiệu, Tiêu ngữ) whose grid
columns have the widths of its cells (LibreOffice lays a table out by its grid), the number and
the place/date line, the «DỰ THẢO» mark on a draft, the title, the body, the signature table and
the Nơi nhận, and the page number in the footer (a PAGE field; no other fields, no macros).
It renders the same snapshot as the PDF; tests/documents compare the two texts."""

from __future__ import annotations

import io

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from legal.formats import nd30_date_text

FONT = "Times New Roman"


def _setup(doc: Document) -> None:
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    style = doc.styles["Normal"]
    style.font.name = FONT
    style.font.size = Pt(13)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    fmt = style.paragraph_format
    fmt.space_after = Pt(6)
    fmt.space_before = Pt(0)
    fmt.line_spacing = 1.15


def _para(
    container,
    text: str = "",
    *,
    bold=False,
    italic=False,
    size=None,
    align=None,
    indent=False,
    underline=False,
    space_after=None,
):
    p = container.add_paragraph()
    if align == "center":
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    elif align == "left":
        p.alignment = WD_ALIGN_PARAGRAPH.LEFT
    elif align == "right":
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    else:
        p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    if indent:
        p.paragraph_format.first_line_indent = Mm(10)
    if space_after is not None:
        p.paragraph_format.space_after = Pt(space_after)
    if text:
        run = p.add_run(text)
        run.bold, run.italic, run.underline = bold, italic, underline
        if size:
            run.font.size = Pt(size)
    return p


def _runs(p, parts: list[tuple[str, bool]]):
    for text, bold in parts:
        p.add_run(text).bold = bold
    return p


TBL_PR_ORDER = (
    "tblStyle tblpPr tblOverlap bidiVisual tblStyleRowBandSize tblStyleColBandSize tblW jc "
    "tblCellSpacing tblInd tblBorders shd tblLayout tblCellMar tblLook tblCaption tblDescription"
).split()


def _put(tbl_pr, el) -> None:
    """Add a table property where the schema wants it (Word refuses some out-of-order files)."""
    name = el.tag.rsplit("}", 1)[-1]
    for old in tbl_pr.findall(qn(f"w:{name}")):
        tbl_pr.remove(old)
    later = TBL_PR_ORDER[TBL_PR_ORDER.index(name) + 1 :]
    for child in tbl_pr:
        if child.tag.rsplit("}", 1)[-1] in later:
            child.addprevious(el)
            return
    tbl_pr.append(el)


def _no_borders(table) -> None:
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "nil")
        borders.append(el)
    _put(tbl_pr, borders)


def _cell_text(cell, lines: list[tuple[str, dict]]) -> None:
    cell.paragraphs[0].text = ""
    first = True
    for text, opts in lines:
        p = cell.paragraphs[0] if first else cell.add_paragraph()
        first = False
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.space_after = Pt(0)
        run = p.add_run(text)
        run.bold = opts.get("bold", False)
        run.italic = opts.get("italic", False)
        run.underline = opts.get("underline", False)
        run.font.size = Pt(opts.get("size", 13))


def _fixed_widths(table, widths_mm: list[float]) -> None:
    """Cell widths, the grid's column widths and a fixed layout, all the same: Word reads the
    cells, LibreOffice the grid; with both equal the Quốc hiệu stays on one line."""
    table.autofit = False
    tbl_pr = table._tbl.tblPr
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    _put(tbl_pr, layout)
    for col, width in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), widths_mm, strict=True):
        col.set(qn("w:w"), str(int(Mm(width).twips)))
    for row in table.rows:
        for cell, width in zip(row.cells, widths_mm, strict=True):
            cell.width = Mm(width)


def _no_cell_margins(table) -> None:
    """No left/right cell padding, as the print stylesheet's header (padding: 0): the whole
    97 mm column is the Quốc hiệu's (92 mm in Times New Roman 12.5 pt bold)."""
    mar = OxmlElement("w:tblCellMar")
    for edge in ("left", "right"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:w"), "0")
        el.set(qn("w:type"), "dxa")
        mar.append(el)
    _put(table._tbl.tblPr, mar)


def _page_numbers(doc: Document) -> None:
    """The page number, centred in the footer (a PAGE field)."""
    p = doc.sections[0].footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = p.add_run()
    for kind, text in (("begin", None), (None, "PAGE"), ("separate", None), (None, "1")):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        elif text == "PAGE":
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = " PAGE "
        else:
            el = OxmlElement("w:t")
            el.text = text
        run._r.append(el)
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run._r.append(end)
    run.font.size = Pt(12)


def _header(doc: Document, snap: dict) -> None:
    table = doc.add_table(rows=2, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _no_borders(table)
    _no_cell_margins(table)
    _fixed_widths(table, [68, 97])
    number = f"{snap['number']:02d}" if snap.get("number") else "      "
    _cell_text(
        table.cell(0, 0),
        [
            (snap["issuer"]["parent"], {"size": 12.5}),
            (snap["issuer"]["name"], {"bold": True, "size": 12.5}),
            ("────────", {"size": 8}),
        ],
    )
    _cell_text(
        table.cell(0, 1),
        [
            ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", {"bold": True, "size": 12.5}),
            ("Độc lập - Tự do - Hạnh phúc", {"bold": True, "underline": True}),
        ],
    )
    _cell_text(table.cell(1, 0), [(f"Số: {number}/{snap['symbol']}", {})])
    _cell_text(
        table.cell(1, 1), [(f"{snap['place']}, {nd30_date_text(snap['date'])}", {"italic": True})]
    )
    if not snap.get("number"):
        _para(doc, "DỰ THẢO", bold=True, align="center", space_after=0)
    else:
        _para(doc, "", space_after=0)
    _para(doc, snap["title"], bold=True, size=14, align="center", space_after=0)
    if snap.get("subject"):
        _para(doc, snap["subject"], bold=True, align="center")


def _grid(doc: Document, headers: list[str], widths: list[float] | None, rows: list[list]) -> None:
    """A bordered table within the 165 mm text block: a narrow TT column, the rest shared
    (or `widths` in mm), as the print stylesheet lays it out."""
    table = doc.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    if widths is None:
        rest = (165 - 12) / (len(headers) - 1)
        widths = [12] + [rest] * (len(headers) - 1)
    header = OxmlElement("w:tblHeader")  # repeated on each page, as the PDF's thead
    header.set(qn("w:val"), "true")
    table.rows[0]._tr.get_or_add_trPr().append(header)
    for i, h in enumerate(headers):
        cell = table.rows[0].cells[i]
        cell.text = ""
        run = cell.paragraphs[0].add_run(h)
        run.bold = True
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    for r in rows:
        cells = table.add_row().cells
        for i, value in enumerate(r):
            cells[i].text = str(value)
    _fixed_widths(table, widths)
    _para(doc, "", space_after=0)


def _keep_rows_whole(table) -> None:
    """A signature block never breaks across two pages (w:cantSplit on every row)."""
    for row in table.rows:
        tr_pr = row._tr.get_or_add_trPr()
        tr_pr.append(OxmlElement("w:cantSplit"))


def _signatures(doc: Document, left: list[tuple[str, dict]], right: list[tuple[str, dict]]) -> None:
    table = doc.add_table(rows=1, cols=2)
    _no_borders(table)
    _fixed_widths(table, [75, 90])  # within the 165 mm text block
    _keep_rows_whole(table)
    _cell_text(table.cell(0, 0), left)
    _cell_text(table.cell(0, 1), right)


def _sign_block(b: dict, *, note: bool = False) -> list[tuple[str, dict]]:
    """The same block as the print template: role lines, chức vụ, space, họ tên."""
    lines = [(r, {"bold": True}) for r in b["roles"]]
    if b.get("title") and b["title"].upper() not in b["roles"]:  # «Trưởng ban» under TRƯỞNG BAN
        lines.append((b["title"].upper(), {"bold": True}))
    lines += [("", {})] * 4
    lines.append((b.get("name") or "", {"bold": True}))
    return lines


def _person(p: dict) -> str:
    """As the print template: «Đồng chí Họ Tên, chức vụ – đơn vị»; a role («Đại diện») is
    followed by its unit without a dash."""
    if not p.get("is_person"):
        return " ".join(x for x in (p["name"], p.get("title"), p.get("unit")) if x)
    text = f"Đồng chí {p['name']}" + (f", {p['title']}" if p.get("title") else "")
    return text + (f" – {p['unit']}" if p.get("unit") else "")


def _noi_nhan(s: dict) -> list[tuple[str, dict]]:
    return [("Nơi nhận:", {"bold": True, "italic": True, "size": 12})] + [
        (f"- {r}{'.' if i == len(s['recipients']) else ';'}", {"size": 11})
        for i, r in enumerate(s["recipients"], 1)
    ]


def _left_align_first_cell(doc: Document) -> None:
    for p in doc.tables[-1].cell(0, 0).paragraphs:
        p.alignment = WD_ALIGN_PARAGRAPH.LEFT


def _poll(doc: Document, p: dict) -> None:
    _para(
        doc,
        f"Hình thức: {p['form']}. Nguyên tắc: {p['rule']}"
        + (f"; tỷ lệ tính trên {p['base']}" if p["counted"] else "")
        + ".",
        indent=True,
    )
    if p["counted"]:
        blank = "tính là phiếu hợp lệ" if p["blank_valid"] else "tính là phiếu không hợp lệ"
        _para(
            doc,
            f"Số phiếu phát ra: {p['issued']}; số phiếu thu về: {p['returned']}; "
            f"số phiếu hợp lệ: {p['valid']}; số phiếu không hợp lệ: {p['invalid']}; "
            f"phiếu trắng: {p['blank'] or 0} ({blank}).",
            indent=True,
        )
    if p.get("yes") is not None:
        _para(
            doc,
            f"Tán thành: {p['yes']}; không tán thành: {p['no_votes']}; "
            f"không ý kiến: {p['abstain'] or 0}.",
            indent=True,
        )
    if p["options"] and p["counted"]:
        _grid(
            doc,
            ["TT", "Đơn vị / người được bầu", "Số phiếu", "Tỷ lệ (%)", "Kết quả"],
            [12, 73, 25, 25, 30],
            [
                [i, c["name"], c["votes"], c["percent"], c["result"]]
                for i, c in enumerate(p["options"], 1)
            ],
        )
    if p["outcome"]:
        _runs(_para(doc, indent=True), [("Kết quả: ", False), (p["outcome"], True)])
    for key in ("decision", "low_turnout"):
        if p.get(key):
            _para(doc, p[key], indent=True)
    if p.get("digest"):
        _para(
            doc,
            f"Mã niêm phong kết quả bỏ phiếu điện tử (SHA-256): {p['digest']}",
            size=10,
            indent=True,
            align="left",  # justified, the unbreakable digest spreads the words apart
        )


def _minutes(doc: Document, s: dict) -> None:
    m = s["meeting"]
    _para(
        doc,
        f"Vào hồi {m['starts']}, tại {m['place'] or '……………………………………'}, "
        f"{s['bloc']['name']} tổ chức {m['title']}.",
        indent=True,
    )
    _para(doc, "I. THÀNH PHẦN THAM DỰ", bold=True)
    chairs = "; ".join(_person(c) for c in s["chairs"]) or "……………………………………"
    _runs(_para(doc, indent=True), [("1. Chủ trì hội nghị:", True), (f" {chairs}.", False)])
    sec = _person(s["secretary"]) if s["secretary"] else "……………………………………"
    _runs(_para(doc, indent=True), [("2. Thư ký hội nghị:", True), (f" {sec}.", False)])
    guests = "; ".join(_person(g) for g in s["guests"])
    _runs(
        _para(doc, indent=True),
        [
            ("3. Khách mời:", True),
            (
                f" {guests} (khách mời không tham gia biểu quyết)." if guests else " không có.",
                False,
            ),
        ],
    )
    a = s["attendance"]
    _runs(
        _para(doc, indent=True),
        [("4. Đại diện các đơn vị thành viên", True), (f" ({a['total']} đơn vị):", False)],
    )
    status = {"present": "Có mặt", "absent": "Vắng", "unrecorded": "Chưa ghi nhận"}
    _grid(
        doc,
        ["TT", "Đơn vị", "Đại diện", "Tình trạng"],
        [12, 62, 55, 36],
        [
            [
                r["no"],
                r["unit"],
                r["delegate"],
                status[r["status"]]
                + (f" ({r['reason']})" if r["status"] == "absent" and r["reason"] else ""),
            ]
            for r in a["rows"]
        ],
    )
    text = (
        f"Túc số: yêu cầu tối thiểu {a['quorum_needed']}/{a['total']} đơn vị thành viên "
        f"({a['quorum_fraction']} tổng số đơn vị theo {a['quorum_basis']}); "
        f"có mặt {a['present']} đơn vị"
    )
    if a["absent"]:
        text += f", vắng {a['absent']} đơn vị"
    if a["unrecorded"]:
        text += f", {a['unrecorded']} đơn vị chưa ghi nhận điểm danh"
    text += "."
    parts = [(text, False)]
    if a["quorum_reached"] is not None:
        parts += [(" Hội nghị ", False)]
        parts += [("đủ túc số" if a["quorum_reached"] else "không đủ túc số", True), (".", False)]
    _runs(_para(doc, indent=True), parts)
    _para(doc, "II. NỘI DUNG HỘI NGHỊ", bold=True)
    for item in s["agenda"]:
        _para(doc, f"{item['no']}. {item['title']}", bold=True, indent=True)
        for line in (item["notes"] or "").splitlines():
            if line.strip():
                _para(doc, line, indent=True)
    if not s["agenda"]:
        _para(doc, "……………………………………………………………………………………………", indent=True)
    _para(doc, "III. KẾT QUẢ BIỂU QUYẾT, BỎ PHIẾU", bold=True)
    for p in s["polls"]:
        _para(doc, f"{p['no']}. {p['title']}", bold=True, indent=True)
        if p["committee"]:
            _para(
                doc,
                "Ban kiểm phiếu: " + "; ".join(_person(c) for c in p["committee"]) + ".",
                indent=True,
            )
        if p["closed"]:
            _poll(doc, p)
        else:
            _para(doc, "Chưa kết thúc biểu quyết.", indent=True)
    if not s["polls"]:
        _para(doc, "Hội nghị không tổ chức biểu quyết, bỏ phiếu.", indent=True)
    _para(doc, "IV. HỘI NGHỊ THỐNG NHẤT", bold=True)
    if s["awards"] or s.get("conferred"):
        _para(doc, "1. Khen thưởng:", indent=True)
        for text in s.get("conferred", []):
            _para(doc, f"- Công bố, trao tặng {text};", indent=True)
        for aw in s["awards"]:
            verb = "Công bố, trao tặng" if aw["final"] else "Đề nghị tặng"
            _para(doc, f"- {verb} {aw['title']}: {aw['recipient']};", indent=True)
    else:
        _para(doc, "1. Khen thưởng: không có.", indent=True)
    t = s["next_terms"]
    n = 2
    if t["leader"] or t["deputy"]:
        _para(
            doc,
            f"2. {s['bloc']['leader_label']} năm {s['next_year']}: "
            f"{t['leader'] or 'chưa xác định'}; {s['bloc']['deputy_label']} năm "
            f"{s['next_year']}: {t['deputy'] or 'chưa xác định'}.",
            indent=True,
        )
        n = 3
    if s.get("covenant"):
        c = s["covenant"]
        _para(
            doc,
            f"{n}. Ký kết giao ước thi đua năm {c['year']}: đại diện các đơn vị ký kết tại hội "
            f"nghị: " + "; ".join(_person(x) for x in c["signers"]) + ".",
            indent=True,
        )
    ends = m["ends"] or "… giờ … phút"
    when = f", ngày {m['ends_date']}" if m["ends_date"] else " cùng ngày"
    _para(
        doc,
        f"Hội nghị kết thúc vào {ends}{when}. Biên bản đã được đọc lại cho toàn thể hội nghị "
        "nghe và nhất trí thông qua.",
        indent=True,
    )
    sig = s["signatures"]
    _signatures(doc, _sign_block(sig[0]), _sign_block(sig[1]))
    _signatures(doc, _noi_nhan(s), [("", {})])
    _left_align_first_cell(doc)


def _proposal(doc: Document, s: dict) -> None:
    _para(doc, f"Kính gửi: {s['to']}.", align="center")
    for c in s["legal_basis"]:
        _para(doc, f"Căn cứ {c};", indent=True)
    if s.get("plan_reference"):
        _para(doc, f"Căn cứ {s['plan_reference']};", indent=True)
    if s.get("meeting"):
        _para(
            doc,
            f"Căn cứ kết quả bình xét, suy tôn tại {s['meeting']['title']} "
            f"ngày {s['meeting']['date']},",
            indent=True,
        )
    _para(
        doc,
        f"{s['bloc']['name']} kính đề nghị {s['to']} xem xét, trình cấp có thẩm quyền khen "
        "thưởng cho các tập thể, cá nhân sau:",
        indent=True,
    )
    for n, g in enumerate(s["award_groups"], 1):
        _para(doc, f"{n}. {g['title']} ({len(g['items'])}):", bold=True, indent=True)
        _grid(
            doc,
            ["TT", "Tập thể, cá nhân được đề nghị", "Căn cứ đề nghị"],
            [12, 90, 63],
            [
                [
                    i,
                    (
                        f"{it['person']}{', ' + it['position'] if it['position'] else ''} – "
                        if it["person"]
                        else ""
                    )
                    + it["unit"],
                    it["source"],
                ]
                for i, it in enumerate(g["items"], 1)
            ],
        )
    if not s["award_groups"]:
        _para(doc, "……………………………………………………………", indent=True)
    _para(doc, "(Có biên bản hội nghị và biên bản kiểm phiếu kèm theo).", indent=True)
    _para(
        doc,
        f"{s['bloc']['name']} kính trình {s['to']} xem xét, trình cấp có thẩm quyền quyết định "
        "khen thưởng./.",
        indent=True,
    )
    _closing_one_signer(doc, s)


def _closing_one_signer(doc: Document, s: dict) -> None:
    """Nơi nhận on the left, the one signer on the right (_closing_one_signer.html)."""
    _signatures(doc, _noi_nhan(s), _sign_block(s["signatures"][0]))
    _left_align_first_cell(doc)


def _sign_grid(doc: Document, blocks: list[dict], *, cols: int = 3) -> None:
    """Signature blocks three to a row within the 165 mm text block (covenant, count minutes)."""
    if not blocks:
        return
    rows = (len(blocks) + cols - 1) // cols
    table = doc.add_table(rows=rows, cols=cols)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _no_borders(table)
    _fixed_widths(table, [165 / cols] * cols)
    _keep_rows_whole(table)
    for i, b in enumerate(blocks):
        _cell_text(table.cell(i // cols, i % cols), _sign_block(b))


def _invitation(doc: Document, s: dict) -> None:
    m = s["meeting"]
    _para(doc, f"Kính gửi: Thủ trưởng các đơn vị thành viên {s['bloc']['name']}.", align="center")
    plan = f"Thực hiện {s['plan_reference']}, " if s.get("plan_reference") else ""
    _para(doc, f"{plan}{s['bloc']['name']} tổ chức {m['title']}, cụ thể như sau:", indent=True)
    _runs(_para(doc, indent=True), [("1. Thời gian:", True), (f" {m['starts']}.", False)])
    place = m["place"] or "……………………………………"
    _runs(_para(doc, indent=True), [("2. Địa điểm:", True), (f" {place}.", False)])
    _para(doc, "3. Nội dung:", bold=True, indent=True)
    for item in s["agenda"]:
        _para(doc, f"- {item};", indent=True)
    if not s["agenda"]:
        _para(doc, "……………………………………………………………………………………………", indent=True)
    guests = "; ".join(_person(g) for g in s["guests"])
    _runs(
        _para(doc, indent=True),
        [
            ("4. Thành phần:", True),
            (
                f" lãnh đạo và đại diện {s['members']} đơn vị thành viên {s['bloc']['name']}"
                + (f"; khách mời: {guests}" if guests else "")
                + ".",
                False,
            ),
        ],
    )
    _para(doc, "Rất mong các đồng chí đến dự đầy đủ, đúng giờ./.", indent=True)
    _closing_one_signer(doc, s)


def _count_minutes(doc: Document, s: dict) -> None:
    m, p = s["meeting"], s["poll"]
    _para(
        doc,
        f"Vào hồi {m['starts']}, tại {m['place'] or '……………………'}, trong khuôn khổ "
        f"{m['title']}, Ban kiểm phiếu gồm:",
        indent=True,
    )
    for i, c in enumerate(s["committee"], 1):
        _para(doc, f"{i}. {_person(c)};", indent=True)
    if not s["committee"]:
        for i in (1, 2, 3):
            _para(doc, f"{i}. ……………………………………………", indent=True)
    _runs(
        _para(doc, indent=True),
        [("đã tiến hành kiểm phiếu: ", False), (p["title"], True), (".", False)],
    )
    if p["closed"]:
        _poll(doc, p)
        if p["options"] and not p["counted"]:
            for c in p["options"]:
                parts = [(f"- {c['name']}", False)]
                if c["result"]:
                    parts += [(": ", False), (c["result"], True)]
                _runs(_para(doc, indent=True), [*parts, (";", False)])
    else:
        _para(doc, "Biểu quyết chưa kết thúc.", indent=True)
    _para(
        doc,
        f"Biên bản kiểm phiếu được lập xong lúc {p['closed_at'] or '… giờ … phút'} cùng ngày, "
        "đã công bố trước hội nghị.",
        indent=True,
    )
    _para(doc, "BAN KIỂM PHIẾU", bold=True, align="center")
    if s["signatures"]:
        _sign_grid(doc, s["signatures"])
    else:
        _sign_grid(doc, [{"roles": ["TRƯỞNG BAN"], "title": "", "name": ""}])


def _covenant(doc: Document, s: dict) -> None:
    year = s["bloc"]["year"]
    lines = [line for line in (s.get("intro") or "").splitlines() if line.strip()]
    for line in lines:
        _para(doc, line, indent=True)
    if not s.get("intro"):
        plan = s.get("plan_reference") or f"Kế hoạch tổ chức phong trào thi đua năm {year}"
        _para(
            doc,
            f"Thực hiện {plan}, các đơn vị thành viên {s['bloc']['name']} thống nhất ký kết giao "
            f"ước thi đua năm {year} với các nội dung, chỉ tiêu sau:",
            indent=True,
        )
    _para(doc, "NỘI DUNG, CHỈ TIÊU GIAO ƯỚC", bold=True)
    for t in s["targets"]:
        _para(doc, f"{t['no']}. {t['text']}", indent=True)
    if not s["targets"]:
        for i in (1, 2):
            _para(doc, f"{i}. ……………………………………………………………………………", indent=True)
    _para(
        doc,
        "Các đơn vị thành viên cam kết thực hiện nghiêm túc các nội dung giao ước trên. Kết quả "
        "thực hiện là căn cứ để chấm điểm, bình xét thi đua cuối năm.",
        indent=True,
    )
    _para(doc, "ĐẠI DIỆN CÁC ĐƠN VỊ THÀNH VIÊN KÝ KẾT", bold=True, align="center")
    _sign_grid(doc, s["units"])


def _chart_png(s: dict) -> bytes | None:
    """The ranking chart the PDF shows (charts' report chart of the same snapshot)."""
    from charts.templatetags.charts import report_ranking_chart

    chart = report_ranking_chart(s)
    return chart.png() if chart is not None else None


def _report(doc: Document, s: dict, *, chart: bool = True) -> None:
    year, bloc = s["bloc"]["year"], s["bloc"]
    for c in s["legal_basis"]:
        _para(doc, f"Căn cứ {c};", indent=True)
    plan = s.get("plan_reference") or f"Kế hoạch tổ chức phong trào thi đua năm {year} của Khối"
    _para(
        doc,
        f"Thực hiện {plan}, {bloc['name']} báo cáo kết quả chấm điểm, bình xét thi đua năm "
        f"{year} như sau:",
        indent=True,
    )
    _para(doc, "I. KẾT QUẢ CHẤM ĐIỂM", bold=True)
    _grid(
        doc,
        ["TT", "Đơn vị", "Điểm chuẩn", "Cộng / trừ", "Tổng điểm", "Xếp hạng"],
        [12, 57, 24, 24, 24, 24],
        [[r["no"], r["unit"], r["main"], r["bonus"], r["score"], r["rank"]] for r in s["scores"]],
    )
    png = _chart_png(s) if chart else None
    if png:
        doc.add_picture(io.BytesIO(png), width=Mm(165))
        doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
    _para(doc, "II. KẾT QUẢ BÌNH XÉT", bold=True)
    if s.get("meeting"):
        _para(
            doc,
            f"Tại {s['meeting']['title']} ngày {s['meeting']['date']}, các đơn vị thành viên đã "
            "bình xét, suy tôn như sau:",
            indent=True,
        )
    for n, g in enumerate(s["award_groups"], 1):
        _runs(_para(doc, indent=True), [(f"{n}. {g['title']}", True), (":", False)])
        for it in g["items"]:
            who = ""
            if it["person"]:
                who = it["person"] + (f", {it['position']}" if it["position"] else "") + " – "
            done = " (đã có quyết định khen thưởng)" if it["final"] else ""
            _para(doc, f"- {who}{it['unit']}{done};", indent=True)
    if not s["award_groups"]:
        _para(doc, "Chưa có kết quả bình xét.", indent=True)
    _para(doc, f"III. {bloc['leader_label'].upper()}, {bloc['deputy_label'].upper()}", bold=True)
    t = s["terms"]
    _para(
        doc,
        f"{bloc['leader_label']} năm {year}: {t['leader'] or '……………'}; "
        f"{bloc['deputy_label']}: {t['deputy'] or '……………'}.",
        indent=True,
    )
    _closing_one_signer(doc, s)


WRITERS = {
    "minutes": _minutes,
    "proposal": _proposal,
    "invitation": _invitation,
    "count_minutes": _count_minutes,
    "covenant": _covenant,
    "report": _report,
}


def to_docx(kind: str, snapshot: dict, *, stamp: dict | None = None) -> bytes:
    doc = Document()
    _setup(doc)
    _page_numbers(doc)
    _header(doc, snapshot)
    WRITERS[kind](doc, snapshot)
    if stamp:
        _para(
            doc,
            f"Văn bản số {stamp['number_label']}, phiên bản {stamp['version']}. Mã xác thực: {stamp['fingerprint']}. Kiểm tra tại: {stamp['verify_url']}",
            size=8,
        )
    core = doc.core_properties
    core.title = f"{snapshot['title']} {snapshot.get('subject', '')}".strip()
    core.language = "vi-VN"
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
