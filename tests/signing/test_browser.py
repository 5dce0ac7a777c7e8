"""In Chromium: a file signed outside the app — by the pyHanko command line, as a clerk's own
signing tool would — is checked on the public /verify/ page; the secretary uploads it on the
version page and sees the state change."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import expect

from signing import services
from tests.e2e.conftest import browser, browser_errors, login, new_page  # noqa: F401 - fixtures

from .conftest import PASSPHRASE

pytestmark = [pytest.mark.browser]


def sign_with_pyhanko_cli(pdf: bytes, p12: bytes, tmp: Path, *, box, page: int) -> Path:
    """`pyhanko sign addsig … pkcs12` on the finalized PDF: a visible PAdES signature."""
    src, out, key, pw = tmp / "ban-khoa.pdf", tmp / "da-ky.pdf", tmp / "chu-tri.p12", tmp / "pw"
    src.write_bytes(pdf)
    key.write_bytes(p12)
    pw.write_text(PASSPHRASE)
    field = f"{page + 1}/{','.join(str(round(v)) for v in box)}/ChuTri"
    cli = Path(sys.executable).parent / "pyhanko"
    subprocess.run(
        [
            str(cli),
            "sign",
            "addsig",
            "--field",
            field,
            "--use-pades",
            "pkcs12",
            "--passfile",
            str(pw),
            str(src),
            str(out),
            str(key),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return out


def test_a_file_signed_by_the_pyhanko_cli_is_verified_on_the_public_page(
    new_page,  # noqa: F811 - the imported fixture
    world,
    version,
    certs,
    trusted,
    transactional_db,
    tmp_path,
    browser_errors,  # noqa: F811
):
    box = services.layout_boxes(version)[1]
    signed = sign_with_pyhanko_cli(
        version.pdf_bytes,
        certs.chair.pkcs12(PASSPHRASE.encode()),
        tmp_path,
        box=box.rect,
        page=box.page,
    )
    assert signed.read_bytes().startswith(version.pdf_bytes)

    page = new_page()  # anyone holding the file: no login
    page.goto("/verify/")
    page.get_by_label("Hoặc chọn tệp PDF để kiểm tra").set_input_files(str(signed))
    page.get_by_role("button", name="Kiểm tra tệp").click()

    expect(page.get_by_test_id("verdict")).to_have_text("Hợp lệ")
    expect(page.locator("main")).to_contain_text(f"số {version.number_label}, phiên bản 1")
    expect(page.locator("main")).to_contain_text("Nguyễn Văn Hùng")
    expect(page.locator("main")).to_contain_text("Số căn cước công dân")
    expect(page.locator("main")).to_contain_text("PAdES B-B")
    assert browser_errors == []

    clerk = new_page(world.secretary)
    clerk.goto(f"/documents/v/{version.pk}/")
    expect(clerk.get_by_test_id("sign-state")).to_have_text("chờ ký")
    clerk.get_by_label("Tệp PDF đã ký số (tối đa 20 MB)").set_input_files(str(signed))
    clerk.get_by_role("button", name="Kiểm tra và lưu").click()
    expect(clerk.locator(".messages")).to_contain_text("Đã lưu bản đã ký số (lần ký 1, 1 chữ ký).")
    expect(clerk.get_by_test_id("sign-state")).to_have_text("đã ký (1/2)")
    expect(clerk.locator(".sign-panel")).to_contain_text("Nguyễn Văn Hùng")
    assert browser_errors == []


def test_a_tampered_file_is_refused_on_the_public_page(
    new_page,  # noqa: F811
    version,
    certs,
    trusted,
    transactional_db,
    tmp_path,
    browser_errors,  # noqa: F811
):
    box = services.layout_boxes(version)[1]
    signed = sign_with_pyhanko_cli(
        version.pdf_bytes,
        certs.chair.pkcs12(PASSPHRASE.encode()),
        tmp_path,
        box=box.rect,
        page=box.page,
    )
    forged = tmp_path / "sua.pdf"
    forged.write_bytes(signed.read_bytes().replace(b"/Producer", b"/Producex", 1))

    page = new_page()
    page.goto("/verify/")
    page.get_by_label("Hoặc chọn tệp PDF để kiểm tra").set_input_files(str(forged))
    page.get_by_role("button", name="Kiểm tra tệp").click()

    expect(page.get_by_test_id("verdict")).to_have_text(
        "Không hợp lệ: tài liệu đã bị sửa sau khi ký"
    )
    expect(page.get_by_test_id("refusal")).to_contain_text("tài liệu đã bị sửa sau khi ký")
