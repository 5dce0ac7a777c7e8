"""Ballot cryptography: a key pair per poll (libsodium sealed boxes), wrapped by BALLOT_KEY.

- BALLOT_KEY (environment, never in the database) is stretched into sub-keys with BLAKE2b.
- Each secret poll gets an X25519 key pair when it opens. The public key encrypts each ballot
  into a sealed box (anonymous, randomised). The private key is stored only wrapped
  (XChaCha20-Poly1305, bound to the poll id) and is erased after the tally.
- Every ballot of a poll is padded to the same plaintext length, so every ciphertext of a poll
  has the same length: its size does not tell how many candidates were marked.
- Ballot codes are stored only as a keyed hash (HMAC-SHA256 under a sub-key of BALLOT_KEY), so
  a database reader can neither read nor test codes offline.

This module imports nothing from Django at import time (settings.py imports it).
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import os
import secrets
from pathlib import Path

from nacl.public import PrivateKey, PublicKey, SealedBox
from nacl.secret import Aead

SEALED_OVERHEAD = 48  # ephemeral public key (32) + MAC (16)


def development_ballot_key(path: Path) -> str:
    """The development key: generated once, kept in var/ (never in the database or the repo)."""
    path = Path(path)
    try:
        key = path.read_text().strip()
        if key:
            return key
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, key.encode())
    finally:
        os.close(fd)
    return key


@functools.lru_cache(maxsize=8)
def _subkey(ballot_key: str, purpose: bytes) -> bytes:
    root = hashlib.blake2b(ballot_key.encode(), digest_size=32, person=b"kt-ballot-root").digest()
    return hashlib.blake2b(b"", key=root, digest_size=32, person=purpose).digest()


def _key(purpose: bytes) -> bytes:
    from django.conf import settings

    return _subkey(settings.BALLOT_KEY, purpose)


def code_hash(code: str) -> str:
    """The keyed hash under which a ballot code is stored (and looked up)."""
    return hmac.new(_key(b"ballot-code"), code.encode(), hashlib.sha256).hexdigest()


def _aad(poll_id: int) -> bytes:
    return f"khoithidua:poll:{poll_id}".encode()


def poll_keys_new(poll_id: int) -> tuple[bytes, bytes]:
    """(public key, wrapped private key) for a poll that opens."""
    private = PrivateKey.generate()
    wrapped = Aead(_key(b"poll-key-wrap")).encrypt(bytes(private), _aad(poll_id))
    return bytes(private.public_key), bytes(wrapped)


def poll_key_unwrap(poll_id: int, wrapped: bytes) -> PrivateKey:
    return PrivateKey(Aead(_key(b"poll-key-wrap")).decrypt(bytes(wrapped), _aad(poll_id)))


def plaintext_size(max_marks: int) -> int:
    """The padded plaintext length of every ballot of a poll (room for max_marks ids, a choice
    and, in named votes, the unit id)."""
    return 48 + 21 * max(1, max_marks)


@functools.lru_cache(maxsize=64)
def _sealer(public_key: bytes) -> SealedBox:
    return SealedBox(PublicKey(public_key))


def ballot_seal(public_key: bytes, payload: dict, size: int) -> bytes:
    raw = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
    if len(raw) > size:
        raise ValueError("ballot larger than the poll's padded size")
    return _sealer(bytes(public_key)).encrypt(raw + b" " * (size - len(raw)))


def ballot_open(private_key: PrivateKey, box: bytes) -> dict:
    return json.loads(SealedBox(private_key).decrypt(bytes(box)))
