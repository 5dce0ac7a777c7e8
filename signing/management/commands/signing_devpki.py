"""Write a throw-away PKI to try ký số locally: a root CA to load in the trust list, PKCS#12
files for a secretary, a chair and an organisation, and a timestamp-server certificate.
Never for production: these keys are made on the spot and written unencrypted where noted."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand

from signing.devpki import DevPKI


class Command(BaseCommand):
    help = "Tạo bộ chứng thư thử nghiệm (không dùng cho vận hành thật) để thử ký số."

    def add_arguments(self, parser):
        parser.add_argument("--out", default="var/devpki", help="thư mục ghi các tệp")
        parser.add_argument("--passphrase", default="khoithidua-demo")

    def handle(self, *args, out, passphrase, **options):
        folder = Path(out)
        folder.mkdir(parents=True, exist_ok=True)
        pki = DevPKI("KTD Demo")
        (folder / "root-ca.pem").write_bytes(pki.root.pem)
        people = {
            "thu-ky.p12": pki.issue(
                "Lê Minh Đức", o="Tòa án nhân dân tỉnh Bắc Ninh", uid="CCCD:027085001234"
            ),
            "chu-tri.p12": pki.issue(
                "Nguyễn Văn Hùng", o="Tòa án nhân dân tỉnh Bắc Ninh", uid="CCCD:027075004321"
            ),
            "co-quan.p12": pki.issue(
                "Khối thi đua các cơ quan Nội chính tỉnh Bắc Ninh",
                o="UBND tỉnh Bắc Ninh",
                uid="MST:2300123456",
            ),
        }
        for name, issued in people.items():
            (folder / name).write_bytes(issued.pkcs12(passphrase.encode()))
        org = people["co-quan.p12"]
        (folder / "co-quan-key.pem").write_bytes(org.key_pem())
        (folder / "co-quan.der").write_bytes(org.der)
        (folder / "signing-ca.der").write_bytes(pki.intermediate.der)
        self.stdout.write(
            f"Đã ghi vào {folder}/: root-ca.pem (nạp vào danh sách tin cậy), thu-ky.p12, chu-tri.p12, "
            f"co-quan.p12 (mật khẩu «{passphrase}»), co-quan-key.pem + co-quan.der + signing-ca.der "
            "(để nạp vào SoftHSM2). Chỉ dùng để thử nghiệm."
        )
