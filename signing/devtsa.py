"""A minimal RFC 3161 timestamp server on loopback, for tests, the benchmark and trying B-T
locally. It answers with pyHanko's own `DummyTimeStamper` (a real TSA token, signed by the
given TSA certificate); the HTTP part is the standard library's. Never used by the app."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from asn1crypto import keys, tsp
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

from .devpki import Issued


class TimestampServer:
    def __init__(self, tsa: Issued):
        stamper = DummyTimeStamper(
            tsa_cert=asn1_x509.Certificate.load(tsa.der),
            tsa_key=keys.PrivateKeyInfo.load(
                tsa.key.private_bytes(Encoding.DER, PrivateFormat.PKCS8, NoEncryption())
            ),
            certs_to_embed=[
                asn1_x509.Certificate.load(c.public_bytes(Encoding.DER)) for c in tsa.chain
            ],
        )
        self.requests = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                length = int(self.headers.get("Content-Length") or 0)
                try:
                    request = tsp.TimeStampReq.load(self.rfile.read(length))
                    body = stamper.request_tsa_response(request).dump()
                except Exception:
                    self.send_response(400)
                    self.end_headers()
                    return
                outer.requests += 1
                self.send_response(200)
                self.send_header("Content-Type", "application/timestamp-reply")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}/tsa"

    def __enter__(self) -> TimestampServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)
