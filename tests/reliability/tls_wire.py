"""Raw TLS records and ClientHellos, built by hand for hostile-peer tests.

Only what the tests need: record framing, handshake message framing, a
configurable ClientHello (TLS 1.2/1.3), and a reader that collects what the
other end sends until it closes, timing the close.
"""

from __future__ import annotations

import os
import socket
import struct
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

CHANGE_CIPHER_SPEC = 20
ALERT = 21
HANDSHAKE = 22
APPLICATION_DATA = 23

CLIENT_HELLO = 1
SERVER_HELLO = 2

#: The largest record body a peer may send (RFC 8446 5.2: 2^14 + 256 for TLS 1.3
#: ciphertext; TLS 1.2 allows 2^14 + 2048).
MAX_PLAINTEXT = 16384

ALERT_NAMES = {
    0: "close_notify",
    10: "unexpected_message",
    20: "bad_record_mac",
    22: "record_overflow",
    40: "handshake_failure",
    42: "bad_certificate",
    46: "certificate_unknown",
    47: "illegal_parameter",
    48: "unknown_ca",
    50: "decode_error",
    51: "decrypt_error",
    70: "protocol_version",
    71: "insufficient_security",
    80: "internal_error",
    86: "inappropriate_fallback",
    109: "missing_extension",
    110: "unsupported_extension",
    112: "unrecognized_name",
    120: "no_application_protocol",
}

# Cipher suites: TLS 1.3 ones, then ECDHE TLS 1.2 ones.
TLS13_SUITES = (0x1301, 0x1302, 0x1303)
TLS12_SUITES = (0xC02B, 0xC02F, 0xC02C, 0xC030, 0xCCA9, 0xCCA8)


def u8(n: int) -> bytes:
    return struct.pack("!B", n)


def u16(n: int) -> bytes:
    return struct.pack("!H", n)


def u24(n: int) -> bytes:
    return struct.pack("!I", n)[1:]


def vec8(data: bytes) -> bytes:
    return u8(len(data)) + data


def vec16(data: bytes) -> bytes:
    return u16(len(data)) + data


def record(ctype: int, body: bytes, version: int = 0x0303) -> bytes:
    """One TLS record; the length field is the body's true length."""
    return u8(ctype) + u16(version) + u16(len(body)) + body


def record_header(ctype: int, length: int, version: int = 0x0303) -> bytes:
    """A record header alone, claiming ``length`` body bytes."""
    return u8(ctype) + u16(version) + u16(length)


def records(ctype: int, payload: bytes, size: int, version: int = 0x0303) -> bytes:
    """``payload`` fragmented into records of at most ``size`` bytes each."""
    return b"".join(
        record(ctype, payload[i : i + size], version) for i in range(0, len(payload), size)
    )


def handshake(htype: int, body: bytes) -> bytes:
    return u8(htype) + u24(len(body)) + body


def alert(description: int, level: int = 2) -> bytes:
    return record(ALERT, u8(level) + u8(description))


def extension(etype: int, data: bytes) -> bytes:
    return u16(etype) + vec16(data)


def client_hello(
    *,
    suites: Iterable[int] = TLS13_SUITES + TLS12_SUITES,
    versions: Iterable[int] | None = (0x0304, 0x0303),
    legacy_version: int = 0x0303,
    server_name: str | None = "localhost",
    padding: int = 0,
    extra_extensions: Iterable[bytes] = (),
    key_share: bool = True,
    x25519_public: bytes | None = None,
    sigalgs: Iterable[int] = (0x0403, 0x0804, 0x0401, 0x0807, 0x0503, 0x0805),
) -> bytes:
    """A ClientHello handshake message (header included) a rustls server accepts.

    ``padding`` adds a padding extension (type 21) of that many zero bytes;
    ``extra_extensions`` are appended verbatim, after the standard ones.
    """
    exts = []
    if server_name is not None:
        name = server_name.encode()
        exts.append(extension(0, vec16(u8(0) + vec16(name))))
    exts.append(extension(10, vec16(u16(0x001D) + u16(0x0017))))  # x25519, secp256r1
    exts.append(extension(11, vec8(u8(0))))  # ec_point_formats: uncompressed
    exts.append(extension(13, vec16(b"".join(u16(s) for s in sigalgs))))
    exts.append(extension(23, b""))  # extended_master_secret
    exts.append(extension(0xFF01, b"\x00"))  # renegotiation_info
    if versions is not None:
        exts.append(extension(43, vec8(b"".join(u16(v) for v in versions))))
        exts.append(extension(45, vec8(u8(1))))  # psk_dhe_ke
    if key_share:
        share = u16(0x001D) + vec16(x25519_public or os.urandom(32))
        exts.append(extension(51, vec16(share)))
    exts.extend(extra_extensions)
    if padding:
        exts.append(extension(21, bytes(padding)))
    body = (
        u16(legacy_version)
        + os.urandom(32)
        + vec8(os.urandom(32))
        + vec16(b"".join(u16(s) for s in suites))
        + vec8(b"\x00")
        + vec16(b"".join(exts))
    )
    return handshake(CLIENT_HELLO, body)


def client_hello_of_size(total: int, **kwargs: object) -> bytes:
    """A ClientHello message of exactly ``total`` bytes, grown with padding
    (and, past one extension's 64 KiB, with unknown extensions of zeros)."""
    extra = list(kwargs.pop("extra_extensions", ()))  # type: ignore[call-overload]
    suites = list(kwargs.pop("suites", TLS13_SUITES + TLS12_SUITES))  # type: ignore[call-overload]
    # The extension block holds at most 64 KiB: past that, the cipher-suite
    # list grows instead, with codes no implementation knows.
    base = len(client_hello(suites=suites, extra_extensions=extra, **kwargs))  # type: ignore[arg-type]
    if total - base > 60_000:
        fillers = [c for c in range(0x0100, 0x8000) if c not in suites]
        suites += fillers[: (total - base - 60_000) // 2]
        base = len(client_hello(suites=suites, extra_extensions=extra, **kwargs))  # type: ignore[arg-type]
    missing = total - base - 4  # the padding extension's own header
    assert 0 <= missing <= 0xFFFF, f"cannot build a {total}-byte ClientHello"
    hello = client_hello(padding=missing, suites=suites, extra_extensions=extra, **kwargs)  # type: ignore[arg-type]
    assert len(hello) == total, (len(hello), total)
    return hello


@dataclass
class Received:
    """What the peer sent, parsed into records, and how its side ended."""

    data: bytes = b""
    records: list[tuple[int, int, bytes]] = field(default_factory=list)
    #: "eof" (FIN), "reset" (RST) or "open" (still open at the deadline).
    ending: str = "open"
    #: Seconds from the end of our last send until the ending.
    close_time: float = float("inf")

    @property
    def alerts(self) -> list[tuple[int, int]]:
        """(level, description) of every plaintext alert."""
        out = []
        for ctype, _version, body in self.records:
            if ctype == ALERT and len(body) == 2:
                out.append((body[0], body[1]))
        return out

    @property
    def got_server_hello(self) -> bool:
        return any(
            ctype == HANDSHAKE and body[:1] == u8(SERVER_HELLO)
            for ctype, _version, body in self.records
        )

    def describe_alert(self) -> str:
        """The alert as the results table shows it."""
        plain = [a for a in self.alerts if a[0] == 2 or a[1] != 0]
        if plain:
            level, desc = plain[-1]
            kind = "fatal" if level == 2 else f"level {level}"
            return f"{kind} {ALERT_NAMES.get(desc, '?')}({desc})"
        encrypted = [r for r in self.records if r[0] == APPLICATION_DATA]
        if encrypted and not self.got_server_hello:
            return f"encrypted record ({len(encrypted[-1][2])} B; alert after key change)"
        if self.alerts:
            return "close_notify(0)"
        return "none"


def parse_records(data: bytes) -> list[tuple[int, int, bytes]]:
    """Complete records in ``data``; a trailing partial record is ignored."""
    out = []
    i = 0
    while i + 5 <= len(data):
        ctype, version, length = struct.unpack("!BHH", data[i : i + 5])
        if i + 5 + length > len(data):
            break
        out.append((ctype, version, data[i + 5 : i + 5 + length]))
        i += 5 + length
    return out


def receive_until_closed(sock: socket.socket, sent_at: float, deadline: float) -> Received:
    """Reads everything until the peer closes or ``deadline`` seconds pass."""
    got = Received()
    chunks = []
    end = sent_at + deadline
    while True:
        left = end - time.monotonic()
        if left <= 0:
            break
        sock.settimeout(left)
        try:
            chunk = sock.recv(65536)
        except TimeoutError:
            break
        except ConnectionResetError:
            got.ending = "reset"
            got.close_time = time.monotonic() - sent_at
            break
        if not chunk:
            got.ending = "eof"
            got.close_time = time.monotonic() - sent_at
            break
        chunks.append(chunk)
    got.data = b"".join(chunks)
    got.records = parse_records(got.data)
    return got


def read_client_hello(sock: socket.socket, timeout: float = 5.0) -> bytes:
    """Reads the peer's first handshake message (records may split it)."""
    sock.settimeout(timeout)
    buf = b""
    message = b""
    while True:
        while len(buf) < 5 or len(buf) < 5 + struct.unpack("!H", buf[3:5])[0]:
            chunk = sock.recv(65536)
            if not chunk:
                raise ConnectionError("peer closed before its ClientHello")
            buf += chunk
        length = struct.unpack("!H", buf[3:5])[0]
        message += buf[5 : 5 + length]
        buf = buf[5 + length :]
        if len(message) >= 4 and len(message) >= 4 + int.from_bytes(message[1:4], "big"):
            return message
