"""Just enough of a TLS 1.3 client to send one protected record of our choice.

A hostile peer that holds the handshake keys can send records that only the
record layer behind decryption can judge (RFC 8446 §5.4: an inner content
type of 0, a record of only padding). This derives the client's handshake
traffic key (RFC 8446 §7.1, TLS_AES_128_GCM_SHA256 with X25519) from a
ClientHello we built and the server's ServerHello, and seals records with it.
It also opens the server's flight up to its Finished, so that it can derive
the server's application traffic key and open the server's encrypted alert.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import socket
import struct

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from reliability import tls_wire as w

HASH_LEN = 32


def _extract(salt: bytes, ikm: bytes) -> bytes:
    return hmac.new(salt, ikm, hashlib.sha256).digest()


def _expand_label(secret: bytes, label: str, context: bytes, length: int) -> bytes:
    info = w.u16(length) + w.vec8(b"tls13 " + label.encode()) + w.vec8(context)
    out, block, i = b"", b"", 1
    while len(out) < length:
        block = hmac.new(secret, block + info + bytes([i]), hashlib.sha256).digest()
        out += block
        i += 1
    return out[:length]


def _derive(secret: bytes, label: str, transcript: bytes) -> bytes:
    return _expand_label(secret, label, hashlib.sha256(transcript).digest(), HASH_LEN)


def _server_share(server_hello: bytes) -> bytes:
    """The X25519 public key in a ServerHello message (header included)."""
    body = server_hello[4:]
    i = 2 + 32
    i += 1 + body[i]  # legacy_session_id_echo
    i += 2 + 1  # cipher_suite, legacy_compression_method
    (ext_len,) = struct.unpack("!H", body[i : i + 2])
    exts, i = body[i + 2 : i + 2 + ext_len], 0
    while i < len(exts):
        etype, elen = struct.unpack("!HH", exts[i : i + 4])
        if etype == 51:
            group, klen = struct.unpack("!HH", exts[i + 4 : i + 8])
            assert group == 0x001D, f"server chose group {group:#x}"
            return exts[i + 8 : i + 8 + klen]
        i += 4 + elen
    raise AssertionError("no key_share in the ServerHello")


class Sealer:
    """Seals TLS 1.3 records under one traffic secret (TLS_AES_128_GCM_SHA256)."""

    def __init__(self, traffic_secret: bytes) -> None:
        self.key = AESGCM(_expand_label(traffic_secret, "key", b"", 16))
        self.iv = _expand_label(traffic_secret, "iv", b"", 12)
        self.seq = 0

    def seal(self, inner_plaintext: bytes) -> bytes:
        """A protected record holding ``inner_plaintext`` (TLSInnerPlaintext) as is."""
        nonce = bytes(a ^ b for a, b in zip(self.iv, self.seq.to_bytes(12, "big"), strict=True))
        self.seq += 1
        header = w.record_header(w.APPLICATION_DATA, len(inner_plaintext) + 16)
        return header + self.key.encrypt(nonce, inner_plaintext, header)

    def open(self, body: bytes) -> bytes:
        """The TLSInnerPlaintext of the next protected record (``body`` after
        its header), as is: content, content type, padding."""
        nonce = bytes(a ^ b for a, b in zip(self.iv, self.seq.to_bytes(12, "big"), strict=True))
        self.seq += 1
        header = w.record_header(w.APPLICATION_DATA, len(body))
        return self.key.decrypt(nonce, body, header)


def _handshake_secret(shared: bytes) -> bytes:
    early = _extract(bytes(HASH_LEN), bytes(HASH_LEN))
    return _extract(_derive(early, "derived", b""), shared)


def _ends_with_finished(messages: bytes) -> bool:
    """Whether a run of whole handshake messages ends with a Finished (20)."""
    i, last = 0, None
    while i + 4 <= len(messages):
        last = messages[i]
        i += 4 + int.from_bytes(messages[i + 1 : i + 4], "big")
    return i == len(messages) and last == 20


class Client(Sealer):
    """Sends a ClientHello offering only TLS_AES_128_GCM_SHA256 over X25519,
    reads the server's flight through its Finished, and seals records under
    the client handshake key. ``server_traffic`` opens what the server sends
    after its Finished (its application traffic key, RFC 8446 §7.1)."""

    def __init__(self, sock: socket.socket) -> None:
        key = X25519PrivateKey.generate()
        public = key.public_key().public_bytes_raw()
        hello = w.client_hello(suites=(0x1301,), versions=(0x0304,), x25519_public=public)
        sock.sendall(w.record(w.HANDSHAKE, hello, 0x0301))
        data = b""
        server_hs: Sealer | None = None
        messages = b""
        while True:  # bounded by the socket's timeout
            records = w.parse_records(data)
            if server_hs is None and any(r[0] == w.APPLICATION_DATA for r in records):
                server_hello = next(body for ctype, _, body in records if ctype == w.HANDSHAKE)
                assert server_hello[:1] == b"\x02", (
                    "the first handshake record is not a ServerHello"
                )
                shared = key.exchange(
                    X25519PublicKey.from_public_bytes(_server_share(server_hello))
                )
                handshake = _handshake_secret(shared)
                transcript = hello + server_hello
                server_hs = Sealer(_derive(handshake, "s hs traffic", transcript))
            if server_hs is not None:
                protected = [body for ctype, _, body in records if ctype == w.APPLICATION_DATA]
                for body in protected[server_hs.seq :]:
                    inner = server_hs.open(body).rstrip(b"\x00")
                    assert inner[-1:] == b"\x16", "a server flight record is not a handshake"
                    messages += inner[:-1]
                if _ends_with_finished(messages):
                    break
            chunk = sock.recv(65536)
            assert chunk, "the server closed before its flight"
            data += chunk
        super().__init__(_derive(handshake, "c hs traffic", transcript))
        master = _extract(_derive(handshake, "derived", b""), bytes(HASH_LEN))
        self.server_traffic = Sealer(_derive(master, "s ap traffic", transcript + messages))


def _client_share_and_session(client_hello: bytes) -> tuple[bytes, bytes]:
    """The X25519 key share and legacy_session_id of a ClientHello message."""
    body = client_hello[4:]
    i = 2 + 32
    session = body[i + 1 : i + 1 + body[i]]
    i += 1 + body[i]
    i += 2 + struct.unpack("!H", body[i : i + 2])[0]  # cipher_suites
    i += 1 + body[i]  # legacy_compression_methods
    (ext_len,) = struct.unpack("!H", body[i : i + 2])
    exts, i = body[i + 2 : i + 2 + ext_len], 0
    while i < len(exts):
        etype, elen = struct.unpack("!HH", exts[i : i + 4])
        if etype == 51:
            shares, j = exts[i + 6 : i + 4 + elen], 0
            while j < len(shares):
                group, klen = struct.unpack("!HH", shares[j : j + 4])
                if group == 0x001D:
                    return shares[j + 4 : j + 4 + klen], session
                j += 4 + klen
        i += 4 + elen
    raise AssertionError("the client sent no X25519 key share")


def _server_hello(client_hello: bytes) -> tuple[bytes, bytes]:
    """A ServerHello message (TLS 1.3, TLS_AES_128_GCM_SHA256, X25519)
    answering ``client_hello``, and the handshake secret."""
    client_share, session = _client_share_and_session(client_hello)
    key = X25519PrivateKey.generate()
    exts = w.extension(43, w.u16(0x0304)) + w.extension(
        51, w.u16(0x001D) + w.vec16(key.public_key().public_bytes_raw())
    )
    body = w.u16(0x0303) + os.urandom(32) + w.vec8(session) + w.u16(0x1301) + b"\x00"
    server_hello = w.handshake(w.SERVER_HELLO, body + w.vec16(exts))
    shared = key.exchange(X25519PublicKey.from_public_bytes(client_share))
    return server_hello, _handshake_secret(shared)


def server_flight(client_hello: bytes) -> tuple[bytes, Sealer]:
    """A ServerHello answering ``client_hello``, as a record, and a sealer
    for the server handshake key."""
    server_hello, handshake = _server_hello(client_hello)
    secret = _derive(handshake, "s hs traffic", client_hello + server_hello)
    return w.record(w.HANDSHAKE, server_hello), Sealer(secret)


def full_server_flight(
    client_hello: bytes, certfile: str, keyfile: str
) -> tuple[bytes, Sealer, Sealer]:
    """A whole server flight answering ``client_hello``: the ServerHello,
    then EncryptedExtensions, Certificate, CertificateVerify (ECDSA P-256)
    and Finished under the server handshake key. Also returns sealers for
    the server's and the client's application traffic keys."""
    with open(certfile, "rb") as f:
        cert = x509.load_pem_x509_certificate(f.read()).public_bytes(serialization.Encoding.DER)
    with open(keyfile, "rb") as f:
        key = serialization.load_pem_private_key(f.read(), None)
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    server_hello, handshake = _server_hello(client_hello)
    transcript = client_hello + server_hello
    server_secret = _derive(handshake, "s hs traffic", transcript)
    messages = w.handshake(8, w.vec16(b""))  # EncryptedExtensions
    entry = w.u24(len(cert)) + cert + w.vec16(b"")
    messages += w.handshake(11, b"\x00" + w.u24(len(entry)) + entry)
    signed = b" " * 64 + b"TLS 1.3, server CertificateVerify\x00"
    signed += hashlib.sha256(transcript + messages).digest()
    signature = key.sign(signed, ec.ECDSA(hashes.SHA256()))
    messages += w.handshake(15, w.u16(0x0403) + w.vec16(signature))
    finished_key = _expand_label(server_secret, "finished", b"", HASH_LEN)
    verify = hmac.new(finished_key, hashlib.sha256(transcript + messages).digest(), hashlib.sha256)
    messages += w.handshake(20, verify.digest())
    flight = w.record(w.HANDSHAKE, server_hello) + Sealer(server_secret).seal(messages + b"\x16")
    master = _extract(_derive(handshake, "derived", b""), bytes(HASH_LEN))
    transcript += messages
    return (
        flight,
        Sealer(_derive(master, "s ap traffic", transcript)),
        Sealer(_derive(master, "c ap traffic", transcript)),
    )
