"""DOCX export (python-docx) of the biên bản and the tờ trình, with the print layout:
A4 and ND30 margins, a two-column header table (issuing body | Quốc hiệu, Tiêu ngữ), the
number and the place/date line, the title, the body and a signature table. Clerks adjust the
file in Word before they sign, so it is plain paragraphs and tables, no fields or macros."""

from __future__ import annotations

import io

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from .templatetags.documents import nd30_date_text

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


def _no_borders(table) -> None:
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "nil")
        borders.append(el)
    tbl_pr.append(borders)


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


def _header(doc: Document, snap: dict) -> None:
    table = doc.add_table(rows=2, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _no_borders(table)
    for row in table.rows:
        row.cells[0].width, row.cells[1].width = Mm(68), Mm(97)
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
    _para(doc, "", space_after=0)
    _para(doc, snap["title"], bold=True, size=14, align="center", space_after=0)
    if snap.get("subject"):
        _para(doc, snap["subject"], bold=True, align="center")


def _grid(doc: Document, headers: list[str], rows: list[list[str]]) -> None:
    table = doc.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
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
    _para(doc, "", space_after=0)


def _signatures(doc: Document, left: list[tuple[str, dict]], right: list[tuple[str, dict]]) -> None:
    table = doc.add_table(rows=1, cols=2)
    _no_borders(table)
    _cell_text(table.cell(0, 0), left)
    _cell_text(table.cell(0, 1), right)


def _sign_block(role_lines: list[str], name: str) -> list[tuple[str, dict]]:
    lines = [(r, {"bold": True}) for r in role_lines]
    lines.append(("(Ký, ghi rõ họ tên)", {"italic": True, "size": 12}))
    lines += [("", {})] * 4
    lines.append((name or "", {"bold": True}))
    return lines


def _minutes(doc: Document, s: dict) -> None:
    m = s["meeting"]
    _para(
        doc,
        f"Vào hồi {m['starts']}, tại {m['place'] or '……………………'}, {s['bloc']['name']} tổ chức {m['title']}.",
        indent=True,
    )
    _para(doc, "I. THÀNH PHẦN THAM DỰ", bold=True)
    chairs = (
        "; ".join(
            ", ".join(x for x in (c["name"], c["position"], c["unit"]) if x) for c in s["chairs"]
        )
        or "……………………"
    )
    _runs(_para(doc, indent=True), [("1. Chủ trì hội nghị: ", True), (chairs + ".", False)])
    sec = s["secretary"]
    _runs(
        _para(doc, indent=True),
        [
            ("2. Thư ký hội nghị: ", True),
            (
                (
                    ", ".join(x for x in (sec["name"], sec["position"], sec["unit"]) if x)
                    or "……………………"
                )
                + ".",
                False,
            ),
        ],
    )
    guests = "; ".join(
        ", ".join(x for x in (g["name"], g["position"], g["unit"]) if x) for g in s["guests"]
    )
    _runs(
        _para(doc, indent=True),
        [
            ("3. Khách mời: ", True),
            ((guests + " (không tham gia biểu quyết).") if guests else "không có.", False),
        ],
    )
    a = s["attendance"]
    _runs(
        _para(doc, indent=True),
        [
            ("4. Đại diện các đơn vị thành viên: ", True),
            (
                f"có mặt {a['present']}/{a['total']} đơn vị."
                if a["recorded"]
                else f"tổng số {a['total']} đơn vị thành viên.",
                False,
            ),
        ],
    )
    _grid(
        doc,
        ["TT", "Đơn vị", "Đại diện", "Tình trạng"],
        [
            [
                r["no"],
                r["unit"],
                r["delegate"],
                "Có mặt"
                if r["present"]
                else (
                    ("Vắng" + (f" ({r['reason']})" if r["reason"] else ""))
                    if r["present"] is False
                    else ""
                ),
            ]
            for r in a["rows"]
        ],
    )
    if a["recorded"]:
        _para(
            doc,
            f"Túc số: có mặt {a['present']}/{a['total']} đơn vị; yêu cầu tối thiểu {a['quorum_needed']} đơn vị ({a['quorum_fraction']}). Hội nghị {'đủ' if a['quorum_ok'] else 'không đủ'} túc số.",
            indent=True,
        )
    _para(doc, "II. NỘI DUNG HỘI NGHỊ", bold=True)
    for item in s["agenda"]:
        _para(doc, f"{item['no']}. {item['title']}", bold=True, indent=True)
        for line in (item["notes"] or "").splitlines():
            if line.strip():
                _para(doc, line, indent=True)
    _para(doc, "III. KẾT QUẢ BIỂU QUYẾT, BỎ PHIẾU", bold=True)
    for p in s["polls"]:
        _para(doc, f"{p['no']}. {p['title']}", bold=True, indent=True)
        _para(
            doc,
            f"Hình thức: {p['mode'] or '……'}. Nguyên tắc: {p['rule'] or '……'}"
            + (f"; tỷ lệ tính trên {p['base']}" if p["base"] else "")
            + ".",
            indent=True,
        )
        if p.get("issued") is not None:
            _para(
                doc,
                f"Số phiếu phát ra: {p['issued']}; thu về: {p['returned']}; hợp lệ: {p['valid']}; không hợp lệ: {p['invalid']}.",
                indent=True,
            )
        if p.get("yes") is not None:
            _para(
                doc,
                f"Tán thành: {p['yes']}; không tán thành: {p['no_votes']}; không biểu quyết: {p['abstain'] or 0}.",
                indent=True,
            )
        if p["candidates"]:
            _grid(
                doc,
                ["TT", "Đơn vị / người được bầu", "Số phiếu", "Tỷ lệ (%)", "Kết quả"],
                [
                    [i, c["name"], c["votes"], c["percent"], "Trúng cử" if c["elected"] else ""]
                    for i, c in enumerate(p["candidates"], 1)
                ],
            )
        if p["outcome"]:
            _para(doc, f"Kết quả: {p['outcome']}", indent=True)
        if p["explanation"]:
            _para(doc, p["explanation"], italic=True, indent=True)
        if p["chain_hash"]:
            _para(
                doc, f"Mã chuỗi phiếu cuối cùng (SHA-256): {p['chain_hash']}", size=10, indent=True
            )
    if not s["polls"]:
        _para(doc, "Hội nghị không tổ chức biểu quyết, bỏ phiếu.", indent=True)
    _para(doc, "IV. HỘI NGHỊ THỐNG NHẤT", bold=True)
    if s["awards"]:
        _para(doc, "1. Đề nghị khen thưởng:", indent=True)
        for aw in s["awards"]:
            _para(
                doc,
                f"- {aw['title']}: {aw['person'] + ' (' + aw['unit'] + ')' if aw['person'] else aw['unit']};",
                indent=True,
            )
    else:
        _para(doc, "1. Đề nghị khen thưởng: không có.", indent=True)
    t = s["next_terms"]
    _para(
        doc,
        f"2. {s['bloc']['leader_label']} năm {s['next_year']}: {t['leader'] or '……………'}; {s['bloc']['deputy_label']} năm {s['next_year']}: {t['deputy'] or '……………'}.",
        indent=True,
    )
    ends = m["ends"] or "… giờ … phút"
    _para(
        doc,
        f"Hội nghị kết thúc vào {ends}{', ngày ' + m['ends_date'] if m['ends_date'] else ' cùng ngày'}. Biên bản đã được đọc lại cho toàn thể hội nghị nghe và nhất trí thông qua.",
        indent=True,
    )
    sig = s["signatures"]
    _signatures(
        doc,
        _sign_block([sig["left"]["role"]], sig["left"]["name"]),
        _sign_block([sig["right"]["role"]], sig["right"]["name"]),
    )


def _proposal(doc: Document, s: dict) -> None:
    _para(doc, f"Kính gửi: {s['to']}.", align="center")
    _para(
        doc,
        "Căn cứ Luật Thi đua, khen thưởng số 06/2022/QH15 ngày 15 tháng 6 năm 2022;",
        indent=True,
    )
    _para(
        doc,
        "Căn cứ Nghị định số 152/2025/NĐ-CP của Chính phủ quy định chi tiết một số điều của Luật Thi đua, khen thưởng;",
        indent=True,
    )
    if s.get("plan_reference"):
        _para(doc, f"Căn cứ {s['plan_reference']};", indent=True)
    if s.get("meeting"):
        _para(
            doc,
            f"Căn cứ kết quả bình xét, suy tôn tại {s['meeting']['title']} ngày {s['meeting']['date']},",
            indent=True,
        )
    _para(
        doc,
        f"{s['bloc']['name']} kính đề nghị {s['to']} xem xét, trình cấp có thẩm quyền khen thưởng cho các tập thể, cá nhân sau:",
        indent=True,
    )
    for n, g in enumerate(s["award_groups"], 1):
        _para(doc, f"{n}. {g['title']} ({len(g['items'])}):", bold=True, indent=True)
        _grid(
            doc,
            ["TT", "Tập thể, cá nhân được đề nghị", "Căn cứ đề nghị"],
            [
                [i, (f"{it['person']} – " if it["person"] else "") + it["unit"], it["source"]]
                for i, it in enumerate(g["items"], 1)
            ],
        )
    _para(doc, "(Có biên bản hội nghị và biên bản kiểm phiếu kèm theo).", indent=True)
    _para(doc, f"{s['bloc']['name']} kính trình {s['to']} xem xét, quyết định./.", indent=True)
    left = [("Nơi nhận:", {"bold": True, "italic": True, "size": 12})] + [
        (f"- {r}{'.' if i == len(s['recipients']) else ';'}", {"size": 11})
        for i, r in enumerate(s["recipients"], 1)
    ]
    right = (
        [(s["signer_role"], {"bold": True}), (s["signer_title"], {"bold": True})]
        + [("", {})] * 4
        + [(s["signer_unit"], {"bold": True})]
    )
    _signatures(doc, left, right)
    for p in doc.tables[-1].cell(0, 0).paragraphs:
        p.alignment = WD_ALIGN_PARAGRAPH.LEFT


def to_docx(kind: str, snapshot: dict, *, stamp: dict | None = None) -> bytes:
    doc = Document()
    _setup(doc)
    _header(doc, snapshot)
    {"minutes": _minutes, "proposal": _proposal}[kind](doc, snapshot)
    if stamp:
        _para(
            doc,
            f"Văn bản số {stamp['number_label']}, phiên bản {stamp['version']}. Mã xác thực: {stamp['fingerprint']}. Kiểm tra tại: {stamp['verify_url']}",
            size=8,
        )
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
