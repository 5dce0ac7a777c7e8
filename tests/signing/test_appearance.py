"""The signatures as a reader sees them (NĐ 30/2020, Phụ lục I), read off the rendered page."""

from __future__ import annotations

import io
import subprocess

import pytest
from PIL import Image

from signing import appearance, services
from signing.appearance import MM, Rect
from signing.layout import SignBox
from signing.models import SignatureImage
from tests.documents import pdftools

from .conftest import PASSPHRASE, outside_sign, png

pytestmark = pytest.mark.django_db


def render_page(pdf: bytes, page: int) -> Image.Image:
    """Page `page` (1-based) at 72 dpi: one pixel per PDF point (y from the top)."""
    path = pdftools.write_tmp(pdf)
    try:
        out = subprocess.run(
            ["pdftoppm", "-r", "72", "-f", str(page), "-l", str(page), "-png", str(path)],
            check=True,
            capture_output=True,
        ).stdout
    finally:
        path.unlink()
    return Image.open(io.BytesIO(out)).convert("RGB")


def bbox(img: Image.Image, test, region=None) -> tuple[int, int, int, int] | None:
    """Bounding box (left, top, right, bottom) of the pixels for which `test(r, g, b)`."""
    x0, y0, x1, y1 = region or (0, 0, img.width, img.height)
    xs, ys = [], []
    px = img.load()
    for y in range(int(y0), int(y1)):
        for x in range(int(x0), int(x1)):
            if test(*px[x, y]):
                xs.append(x)
                ys.append(y)
    return (min(xs), min(ys), max(xs) + 1, max(ys) + 1) if xs else None


def red(r, g, b):
    return r > 150 and g < 90 and b < 90


def blue(r, g, b):
    return b > 100 and r < 90 and b > r + 50


def test_geometry_seal_covers_the_left_third_of_the_signature_at_real_size():
    box = SignBox("CHỦ TRÌ HỘI NGHỊ", "Nguyễn Văn Hùng", 1, 335.9, 640.9, 233.9, 68.0)
    sig = appearance.signature_rect(box, (600, 240))

    assert sig.width == pytest.approx(50 * MM)  # without a real width: at most 5 cm wide …
    assert sig.height == pytest.approx(20 * MM)  # … keeping the image's proportions
    small = appearance.signature_rect(box, (600, 240), 30)  # at the width the signer gave
    assert (small.width, small.height) == pytest.approx((30 * MM, 12 * MM))
    huge = appearance.signature_rect(box, (600, 240), 80)  # never larger than the space
    assert huge.height == pytest.approx(box.height) and huge.width <= box.width
    assert sig.x + sig.width / 2 == pytest.approx(box.x + box.width / 2)  # centred
    seal = appearance.seal_rect(sig, 38)
    assert seal.width == seal.height == pytest.approx(38 * MM)
    assert seal.x + seal.width == pytest.approx(sig.x + sig.width / 3)
    assert seal.center_y == pytest.approx(sig.center_y)
    field = appearance.org_rect(seal)
    assert appearance.seal_within(field, 38).pdf == pytest.approx(seal.pdf)


def test_the_signing_time_is_iso_8601_in_vietnam_time():
    import datetime as dt

    moment = dt.datetime(2026, 11, 30, 3, 15, 4, 123456, tzinfo=dt.UTC)
    assert appearance.vn_iso(moment) == "2026-11-30T10:15:04+07:00"


def test_signed_page_shows_the_signature_image_and_the_red_seal_over_its_left_third(
    version, certs, trusted, world, org_profile
):
    services.signature_image_upload(
        kind=SignatureImage.Kind.SIGNATURE, data=png(), width_mm=40, actor=world.office
    )
    services.signature_image_upload(
        kind=SignatureImage.Kind.SEAL,
        data=png((220, 0, 0, 255), (600, 600), seal=True),
        width_mm=36,
        actor=world.office,
        organizer=world.organizer,
    )
    services.version_sign(
        version=version,
        target="box-1",
        actor=world.office,
        secret=PASSPHRASE,
        pkcs12_data=certs.chair.pkcs12(PASSPHRASE.encode()),
    )
    signed = services.version_sign(
        version=version, target="org", actor=world.office, secret="123456"
    )
    box = services.layout_boxes(version)[1]
    pdf = signed.read_bytes()
    img = render_page(pdf, box.page + 1)
    height = img.height

    def to_px(rect: Rect) -> tuple[float, float, float, float]:
        return (rect.x, height - rect.y - rect.height, rect.x + rect.width, height - rect.y)

    sig = appearance.signature_rect(box, (600, 240), 40)  # the real width the signer gave
    assert sig.width == pytest.approx(40 * MM)
    seal = appearance.seal_rect(sig, 36)
    ink = bbox(img, blue, to_px(Rect(box.x - 5, box.y - 5, box.width + 10, box.height + 10)))
    stamp = bbox(img, red)
    assert ink is not None and stamp is not None
    # The signature stroke lies inside its rectangle in the CHỦ TRÌ block.
    left, top, right, bottom = to_px(sig)
    assert left - 2 <= ink[0] and ink[2] <= right + 2 and top - 2 <= ink[1] and ink[3] <= bottom + 2
    # The seal is red, 36 mm across (±1 pt), and its right edge is a third into the signature.
    assert stamp[2] - stamp[0] == pytest.approx(36 * MM, abs=2)
    assert stamp[3] - stamp[1] == pytest.approx(36 * MM, abs=2)
    assert stamp[2] == pytest.approx(seal.x + seal.width, abs=2)
    assert stamp[2] == pytest.approx(ink[0] + (ink[2] - ink[0]) / 3, abs=6)
    # Nothing red anywhere else on the page; the finalized page content is untouched.
    assert bbox(img, red, (0, 0, img.width, stamp[1] - 1)) is None
    text = " ".join(pdftools.text(pdf, first=box.page + 1, last=box.page + 1).split())
    assert "Khối thi đua các cơ quan Nội chính tỉnh Bắc Ninh" in text
    assert "+07:00" in text and "CHỦ TRÌ" in text


def test_a_signature_made_elsewhere_keeps_its_own_appearance(version, certs, trusted, world):
    """Files signed outside the app are stored byte for byte: the app never redraws them."""
    signed = outside_sign(version.pdf_bytes, certs.chair)
    stored = services.signed_upload(version=version, data=signed, actor=world.office)
    assert stored.read_bytes() == signed
