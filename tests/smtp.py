"""A real SMTP server (aiosmtpd) on a free loopback port, and Django's SMTP backend pointed at it.

    def test_x(smtp): ...; smtp.wait_for(1); smtp.messages[0]["To"]

Messages are parsed `email.message.EmailMessage` objects (policy.default), in arrival order.
"""

from __future__ import annotations

import email
import threading
import time
from email import policy

import pytest


class _Handler:
    def __init__(self):
        self.messages = []
        self.envelopes = []
        self.rejected: set[str] = set()  # recipients the server refuses (550)
        self.arrived = threading.Condition()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address.lower() in self.rejected:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        with self.arrived:
            self.messages.append(message)
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
            self.arrived.notify_all()
        return "250 OK"


class MailServer:
    def __init__(self, handler, port):
        self._handler = handler
        self.port = port

    @property
    def messages(self):
        return self._handler.messages

    @property
    def envelopes(self):
        return self._handler.envelopes

    def wait_for(self, count: int, timeout: float = 10.0) -> list:
        deadline = time.monotonic() + timeout
        with self._handler.arrived:
            while len(self._handler.messages) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._handler.arrived.wait(left)
        return self._handler.messages

    def reject(self, *addresses: str) -> None:
        self._handler.rejected |= {a.lower() for a in addresses}

    def to(self, address: str) -> list:
        return [m for m in self.messages if address.lower() in str(m["To"]).lower()]


def _controller(handler):
    from aiosmtpd.controller import Controller

    class LoopbackController(Controller):
        def _trigger_server(self):
            # Bound to port 0: learn the port the kernel chose before connecting to it.
            self.port = self.server.sockets[0].getsockname()[1]
            super()._trigger_server()

    return LoopbackController(handler, hostname="127.0.0.1", port=0)


def use_smtp(settings, port: int, timeout: int = 5) -> None:
    """Point Django's default mailer (SMTP backend) at 127.0.0.1:port."""
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": timeout},
        }
    }


@pytest.fixture
def smtp(settings):
    handler = _Handler()
    controller = _controller(handler)
    controller.start()
    use_smtp(settings, controller.port)
    try:
        yield MailServer(handler, controller.port)
    finally:
        controller.stop()


@pytest.fixture
def dead_smtp_port():
    """A loopback port where nothing listens (the mail server is down). The port stays bound,
    without listen(), for the whole test: connections are refused, and no parallel test can
    start a server on it meanwhile."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        yield s.getsockname()[1]
