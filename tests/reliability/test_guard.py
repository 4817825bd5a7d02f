"""The record-layer guard (crates/core/src/guard.rs), one class of issue 18 at a time.

Each probe sends hand-built bytes (``tls_wire``) to a rustssl end and to a
stdlib (OpenSSL) end, reads what comes back for at most ``CLOSE_WITHIN``
seconds (a bounded wait, not a speed assertion), and asserts that rustssl
sent exactly the fatal alert the RFC names and raised an ``SSLError`` with
the guard's reason. Where the stdlib alerts, rustssl must alert too, and it
must refuse whatever the stdlib refuses. A server then serves the next,
well-behaved client on the same listener.
"""

from __future__ import annotations

import os
import socket
import ssl as stdlib_ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

import rustssl
from conftest import CertSet, client_context, server_context
from reliability import tls_wire as w
from reliability.peers import CLOSE_WITHIN, TABLE, TLS_TIMEOUT, RawServer, tls_client

MODULES = {"stdlib": stdlib_ssl, "rustssl": rustssl}

UNEXPECTED = 10
HANDSHAKE_FAILURE = 40
OVERFLOW = 22
ILLEGAL = 47
DECODE = 50
PROTOCOL_VERSION = 70
INAPPROPRIATE_FALLBACK = 86
MISSING_EXTENSION = 109
#: The rustssl end answers with an encrypted record (its alert) and closes:
#: rustls picks the code (docs/security.md, "Differs from OpenSSL").
ENCRYPTED = -1

Act = Callable[[socket.socket], float]


class Server:
    """Serves ``count`` connections in turn with ``module``, echoing; keeps
    the exception that ended each."""

    def __init__(self, module: Any, certs: CertSet, count: int, tls12: bool = False) -> None:
        self.ctx = server_context(module, certs)
        if tls12:
            self.ctx.maximum_version = module.TLSVersion.TLSv1_2
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(10)
        self.port = self.listener.getsockname()[1]
        self.errors: list[BaseException | None] = []
        self.thread = threading.Thread(target=self._run, args=(count,), daemon=True)
        self.thread.start()

    def _run(self, count: int) -> None:
        for _ in range(count):
            try:
                conn, _ = self.listener.accept()
            except OSError as e:
                self.errors.append(e)
                return
            conn.settimeout(TLS_TIMEOUT)
            try:
                with self.ctx.wrap_socket(conn, server_side=True) as tls:
                    while data := tls.recv(4096):
                        tls.sendall(data)
                self.errors.append(None)
            except BaseException as e:
                self.errors.append(e)
            finally:
                conn.close()

    def join(self) -> None:
        self.thread.join(TLS_TIMEOUT + 5)
        self.listener.close()
        assert not self.thread.is_alive(), "TLS server thread hung"


def send(sock: socket.socket, data: bytes) -> float:
    sock.sendall(data)
    return time.monotonic()


def first(data: bytes) -> Act:
    """Sends ``data`` as the first bytes of the connection."""
    return lambda sock: send(sock, data)


def after_flight(then: bytes, hello: bytes | None = None, tls12: bool = False) -> Act:
    """Sends a ClientHello, reads the server's flight, then sends ``then``."""

    def act(sock: socket.socket) -> float:
        if hello is not None:
            h = hello
        elif tls12:
            h = w.client_hello(suites=w.TLS12_SUITES, versions=None, key_share=False)
        else:
            h = w.client_hello()
        sock.sendall(w.records(w.HANDSHAKE, h, w.MAX_PLAINTEXT, 0x0301))
        data = b""
        sock.settimeout(TLS_TIMEOUT)
        # Bounded by the timeout: until the flight ends with ServerHelloDone
        # (TLS 1.2) or holds an encrypted record (TLS 1.3).
        while True:
            records = w.parse_records(data)
            handshake = b"".join(body for ctype, _, body in records if ctype == w.HANDSHAKE)
            if tls12 and handshake.endswith(b"\x0e\x00\x00\x00"):
                break
            if not tls12 and any(ctype == w.APPLICATION_DATA for ctype, _, _ in records):
                break
            chunk = sock.recv(65536)
            assert chunk, "the server closed before its flight"
            data += chunk
        return send(sock, then)

    return act


def hello_record(**kwargs: Any) -> bytes:
    return w.record(w.HANDSHAKE, w.client_hello(**kwargs), 0x0301)


def tls12_cke() -> bytes:
    return w.record(w.HANDSHAKE, w.handshake(16, w.vec8(os.urandom(32))))


@dataclass(frozen=True)
class Probe:
    name: str
    act: Act
    #: The alert rustssl must send, or ENCRYPTED.
    alert: int
    #: The SSLError reason rustssl must raise (None: any reason).
    reason: str | None
    tls12: bool = False


SERVER_PROBES = [
    # 1. oversized records
    Probe(
        "plaintext ClientHello record of 2^14+1 bytes",
        first(w.record(w.HANDSHAKE, w.client_hello_of_size(16385), 0x0301)),
        OVERFLOW,
        "DATA_LENGTH_TOO_LONG",
    ),
    Probe(
        "record header claiming 65535 bytes",
        first(w.record_header(w.HANDSHAKE, 0xFFFF, 0x0301) + bytes(64)),
        OVERFLOW,
        "DATA_LENGTH_TOO_LONG",
    ),
    Probe(
        "application_data record of 2^14+257 bytes before the ClientHello",
        first(w.record_header(w.APPLICATION_DATA, 16384 + 257) + bytes(64)),
        OVERFLOW,
        "ENCRYPTED_LENGTH_TOO_LONG",
    ),
    Probe(
        "TLS 1.2 ClientKeyExchange record of 2^14+1 bytes",
        after_flight(w.record(w.HANDSHAKE, w.handshake(16, bytes(16381))), tls12=True),
        OVERFLOW,
        "DATA_LENGTH_TOO_LONG",
        tls12=True,
    ),
    Probe(
        "TLS 1.3 ciphertext record of 2^14+257 bytes (rustls answers, encrypted)",
        after_flight(w.record(w.APPLICATION_DATA, os.urandom(16384 + 257))),
        ENCRYPTED,
        None,
    ),
    # 3. legacy version fields
    *(
        Probe(
            f"ClientHello legacy_version {v:#06x} offering TLS 1.3",
            first(hello_record(legacy_version=v)),
            PROTOCOL_VERSION,
            "UNSUPPORTED_PROTOCOL",
        )
        for v in (0x0000, 0x0200, 0x0300, 0x0301, 0x0302)
    ),
    Probe(
        "record version 0x0000",
        first(w.record(w.HANDSHAKE, w.client_hello(), 0x0000)),
        PROTOCOL_VERSION,
        "WRONG_VERSION_NUMBER",
    ),
    Probe(
        "record version 0xfefd",
        first(w.record(w.HANDSHAKE, w.client_hello(), 0xFEFD)),
        PROTOCOL_VERSION,
        "WRONG_VERSION_NUMBER",
    ),
    # 4. TLS_FALLBACK_SCSV
    Probe(
        "TLS 1.2 ClientHello with TLS_FALLBACK_SCSV to a TLS 1.3 server",
        first(hello_record(suites=(*w.TLS12_SUITES, 0x5600), versions=None, key_share=False)),
        INAPPROPRIATE_FALLBACK,
        "INAPPROPRIATE_FALLBACK",
    ),
    # 5. codes clear before parsing, and 2. alerts never lost
    Probe(
        "zero-length alert record first",
        first(w.record(w.ALERT, b"", 0x0301)),
        UNEXPECTED,
        "BAD_LENGTH",
    ),
    Probe(
        "change_cipher_spec of 2 bytes first",
        first(w.record(w.CHANGE_CIPHER_SPEC, b"\x01\x01", 0x0301)),
        UNEXPECTED,
        "BAD_CHANGE_CIPHER_SPEC",
    ),
    Probe(
        "TLS 1.2 after ClientKeyExchange: change_cipher_spec of 0 bytes",
        after_flight(tls12_cke() + w.record(w.CHANGE_CIPHER_SPEC, b""), tls12=True),
        UNEXPECTED,
        "BAD_CHANGE_CIPHER_SPEC",
        tls12=True,
    ),
    Probe(
        "TLS 1.2 after ServerHelloDone: zero-length alert record",
        after_flight(w.record(w.ALERT, b""), tls12=True),
        UNEXPECTED,
        "BAD_LENGTH",
        tls12=True,
    ),
    Probe(
        "record of content type 0",
        first(w.record(0, b"\x01\x02")),
        UNEXPECTED,
        "UNEXPECTED_RECORD",
    ),
    # rustls fails after accepting the hello, with an internal error and no
    # alert queued: rustssl sends handshake_failure (found by the guard fuzzer).
    Probe(
        "TLS 1.2 ClientHello whose only signature scheme the ECDSA P-256 key cannot use",
        first(
            hello_record(
                suites=w.TLS12_SUITES, versions=None, key_share=False, sigalgs=(0x0503, 0x0804)
            )
        ),
        HANDSHAKE_FAILURE,
        None,
    ),
    Probe(
        "TLS 1.3 ClientHello without key_share",
        first(hello_record(key_share=False)),
        MISSING_EXTENSION,
        "MISSING_KEY_SHARE",
    ),
]


def _probe_server(module: Any, certs: CertSet, probe: Probe) -> tuple[w.Received, Any]:
    """Runs ``probe`` against a server, then a well-behaved client on the same listener."""
    server = Server(module, certs, 2, tls12=probe.tls12)
    with socket.create_connection(("127.0.0.1", server.port), timeout=TLS_TIMEOUT) as sock:
        sent_at = probe.act(sock)
        got = w.receive_until_closed(sock, sent_at, CLOSE_WITHIN)
    ctx = client_context(stdlib_ssl, certs)
    with socket.create_connection(("127.0.0.1", server.port), timeout=TLS_TIMEOUT) as raw:
        with ctx.wrap_socket(raw, server_hostname="localhost") as tls:
            tls.sendall(b"next client")
            assert tls.recv(64) == b"next client", f"{probe.name}: the next client was not served"
    server.join()
    assert len(server.errors) == 2 and server.errors[1] is None, server.errors
    return got, server.errors[0]


def _fatal_alerts(got: w.Received) -> list[int]:
    return [d for level, d in got.alerts if level == 2]


def _assert_rustssl(name: str, alert: int, reason: str | None, got: w.Received, error: Any) -> None:
    assert got.ending != "open", f"{name}: no close within {CLOSE_WITHIN}s (got {got.data[:32]!r})"
    if alert == ENCRYPTED:
        assert not got.alerts and any(r[0] == w.APPLICATION_DATA for r in got.records), (
            f"{name}: expected an encrypted alert, got {got.records[-2:]}"
        )
    else:
        assert _fatal_alerts(got) == [alert], (
            f"{name}: expected {w.ALERT_NAMES[alert]}, got {got.describe_alert()}"
        )
    assert isinstance(error, rustssl.SSLError), f"{name}: raised {error!r}"
    if reason is not None:
        assert error.reason == reason, f"{name}: reason {error.reason!r}"


def _assert_not_quieter(name: str, ours: w.Received, stdlib: w.Received) -> None:
    """rustssl is never silent where the stdlib alerts, and never accepts where it refuses."""
    if _fatal_alerts(stdlib) or any(r[0] == w.APPLICATION_DATA for r in stdlib.records):
        assert ours.alerts or any(r[0] == w.APPLICATION_DATA for r in ours.records), name
    if not stdlib.got_server_hello:
        assert not ours.got_server_hello, f"{name}: accepted where the stdlib refuses"


@pytest.mark.parametrize("probe", SERVER_PROBES, ids=lambda p: p.name)
def test_guard_server(probe: Probe, certs: CertSet) -> None:
    results = {}
    for module_name in ("stdlib", "rustssl"):
        got, error = _probe_server(MODULES[module_name], certs, probe)
        TABLE.add("server (guard)", probe.name, module_name, got, error)
        results[module_name] = got
    _assert_rustssl(probe.name, probe.alert, probe.reason, results["rustssl"], error)
    _assert_not_quieter(probe.name, results["rustssl"], results["stdlib"])


def test_fallback_scsv_is_fine_when_no_version_is_lost(certs: CertSet) -> None:
    """The SCSV is refused only when the client's best is below the server's."""
    cases = [
        # The client offers TLS 1.3 itself: no fallback happened.
        (hello_record(suites=(*w.TLS13_SUITES, 0x5600)), False),
        # The server's best is TLS 1.2, as is the client's.
        (hello_record(suites=(*w.TLS12_SUITES, 0x5600), versions=None, key_share=False), True),
    ]
    for hello, tls12 in cases:
        server = Server(rustssl, certs, 1, tls12=tls12)
        with socket.create_connection(("127.0.0.1", server.port), timeout=TLS_TIMEOUT) as sock:
            sent_at = send(sock, hello)
            got = w.receive_until_closed(sock, sent_at, CLOSE_WITHIN)
            assert got.got_server_hello, got.describe_alert()
        server.join()


# ------------------------------------------------------------------ client side


@dataclass(frozen=True)
class ClientProbe:
    name: str
    answer: bytes
    alert: int
    reason: str


CLIENT_PROBES = [
    ClientProbe(
        "ServerHello record of 2^14+1 bytes",
        w.record(w.HANDSHAKE, w.handshake(2, bytes(16381))),
        OVERFLOW,
        "DATA_LENGTH_TOO_LONG",
    ),
    ClientProbe(
        "record header claiming 65535 bytes",
        w.record_header(w.HANDSHAKE, 0xFFFF) + bytes(64),
        OVERFLOW,
        "DATA_LENGTH_TOO_LONG",
    ),
    # rustls refuses a declared length over 64 KiB itself, with decode_error.
    ClientProbe(
        "100 KiB handshake message in 16 KiB records",
        w.records(w.HANDSHAKE, w.handshake(2, bytes(100 * 1024)), 16384),
        DECODE,
        "PACKET_LENGTH_TOO_LONG",
    ),
    # A length rustls accepts, in more record bytes than its buffer holds:
    # rustls stalls without an alert, and the guard sends OpenSSL's.
    ClientProbe(
        "65,530-byte handshake message in 16 KiB records",
        w.records(w.HANDSHAKE, w.handshake(2, bytes(65_526)), 16384),
        ILLEGAL,
        "EXCESSIVE_MESSAGE_SIZE",
    ),
    ClientProbe(
        "record version 0x0200",
        w.record(w.HANDSHAKE, w.handshake(2, bytes(70)), 0x0200),
        PROTOCOL_VERSION,
        "WRONG_VERSION_NUMBER",
    ),
    ClientProbe("zero-length alert record", w.record(w.ALERT, b""), UNEXPECTED, "BAD_LENGTH"),
    ClientProbe(
        "change_cipher_spec of 2 bytes",
        w.record(w.CHANGE_CIPHER_SPEC, b"\x01\x01"),
        UNEXPECTED,
        "BAD_CHANGE_CIPHER_SPEC",
    ),
]


def _hostile_server(answer: bytes) -> Callable[[socket.socket], w.Received]:
    def behave(conn: socket.socket) -> w.Received:
        w.read_client_hello(conn)
        sent_at = send(conn, answer)
        return w.receive_until_closed(conn, sent_at, CLOSE_WITHIN)

    return behave


@pytest.mark.parametrize("probe", CLIENT_PROBES, ids=lambda p: p.name)
def test_guard_client(probe: ClientProbe, certs: CertSet) -> None:
    results = {}
    for module_name in ("stdlib", "rustssl"):
        server = RawServer(_hostile_server(probe.answer))
        error = tls_client(MODULES[module_name], certs, server.port)
        got = server.join()
        TABLE.add("client (guard)", probe.name, module_name, got, error)
        results[module_name] = got
    _assert_rustssl(probe.name, probe.alert, probe.reason, results["rustssl"], error)
    _assert_not_quieter(probe.name, results["rustssl"], results["stdlib"])


# ---------------------------------------------------------------- memory BIOs


def _bio_pair(module: Any, certs: CertSet, server_side: bool) -> tuple[Any, Any, Any]:
    if server_side:
        ctx = server_context(module, certs)
    else:
        ctx = client_context(module, certs)
    incoming, outgoing = module.MemoryBIO(), module.MemoryBIO()
    obj = ctx.wrap_bio(
        incoming,
        outgoing,
        server_side=server_side,
        server_hostname=None if server_side else "localhost",
    )
    return obj, incoming, outgoing


@pytest.mark.parametrize("server_side", [True, False], ids=["server", "client"])
def test_guard_alert_reaches_the_outgoing_bio(certs: CertSet, server_side: bool) -> None:
    """Over memory BIOs the alert is in the outgoing BIO when the error is raised."""
    obj, incoming, outgoing = _bio_pair(rustssl, certs, server_side)
    if not server_side:
        with pytest.raises(rustssl.SSLWantReadError):
            obj.do_handshake()
        assert outgoing.read()  # the ClientHello
    incoming.write(w.record_header(w.HANDSHAKE, 0xFFFF, 0x0301) + bytes(64))
    with pytest.raises(rustssl.SSLError) as info:
        obj.do_handshake()
    assert info.value.reason == "DATA_LENGTH_TOO_LONG"
    sent = w.parse_records(outgoing.read())
    assert sent == [(w.ALERT, 0x0303, bytes([2, OVERFLOW]))]


# ------------------------------------ class 2: protected records, keys in use

#: TLSInnerPlaintext with no content type: all padding, or nothing at all.
INNER_NO_TYPE = {"only padding": bytes(16), "empty": b""}

#: The fatal unexpected_message alert as TLSInnerPlaintext (content type 21).
UNEXPECTED_SEALED = bytes([2, UNEXPECTED, w.ALERT])


def _inner_type_zero(
    module: Any, certs: CertSet, inner: bytes
) -> tuple[w.Received, list[bytes], Any]:
    """Sends a protected record of ``inner`` instead of the client's Finished;
    returns what came back, each protected record opened under the server's
    application traffic key, and the server's exception."""
    from cryptography.exceptions import InvalidTag

    from reliability.tls13 import Client

    server = Server(module, certs, 2)
    with socket.create_connection(("127.0.0.1", server.port), timeout=TLS_TIMEOUT) as sock:
        client = Client(sock)
        sent_at = send(sock, client.seal(inner))
        got = w.receive_until_closed(sock, sent_at, CLOSE_WITHIN)
    opened = []
    for ctype, _, body in got.records:
        if ctype == w.APPLICATION_DATA:
            try:
                opened.append(client.server_traffic.open(body))
            except InvalidTag:
                opened.append(b"(does not open under the server's application key)")
    with socket.create_connection(("127.0.0.1", server.port), timeout=TLS_TIMEOUT) as raw:
        with client_context(stdlib_ssl, certs).wrap_socket(raw, server_hostname="localhost") as tls:
            tls.sendall(b"next")
            assert tls.recv(16) == b"next"
    server.join()
    return got, opened, server.errors[0]


@pytest.mark.parametrize("inner", list(INNER_NO_TYPE), ids=list(INNER_NO_TYPE))
def test_inner_content_type_zero_gets_an_encrypted_alert(certs: CertSet, inner: str) -> None:
    """A protected record with no inner content type ends the connection at
    once with an encrypted unexpected_message (RFC 8446 §5.4), as from the
    stdlib, though rustls sends none (crates/core/src/sealed_alert.rs); the
    server then serves the next client."""
    stdlib_got, stdlib_opened, _ = _inner_type_zero(stdlib_ssl, certs, INNER_NO_TYPE[inner])
    TABLE.add("server (guard)", f"TLS 1.3 record, inner: {inner}", "stdlib", stdlib_got, None)
    # The key schedule of tls13.py opens OpenSSL's one fatal alert (for an
    # empty inner plaintext OpenSSL names it bad_record_mac, not the RFC's code).
    assert [(a[0], a[2]) for a in stdlib_opened] == [(2, w.ALERT)], stdlib_opened
    got, opened, error = _inner_type_zero(rustssl, certs, INNER_NO_TYPE[inner])
    TABLE.add("server (guard)", f"TLS 1.3 record, inner: {inner}", "rustssl", got, error)
    assert got.ending != "open", f"no close within {CLOSE_WITHIN}s"
    # Decryption worked (the key schedule above is right): rustls judged the content.
    assert isinstance(error, rustssl.SSLError) and error.reason == "PEER_MISBEHAVED", error
    assert opened == [UNEXPECTED_SEALED], opened


def _hostile_tls13_server(inner: bytes) -> Callable[[socket.socket], w.Received]:
    """Answers with a real ServerHello, then a protected record holding ``inner``."""

    def behave(conn: socket.socket) -> w.Received:
        from reliability.tls13 import server_flight

        hello = w.read_client_hello(conn)
        server_hello, sealer = server_flight(hello)
        sent_at = send(conn, server_hello + sealer.seal(inner))
        return w.receive_until_closed(conn, sent_at, CLOSE_WITHIN)

    return behave


@pytest.mark.parametrize("inner", list(INNER_NO_TYPE), ids=list(INNER_NO_TYPE))
def test_client_refuses_inner_content_type_zero(certs: CertSet, inner: str) -> None:
    """The client side: the server's first protected record has no inner type."""
    results = {}
    for module_name in ("stdlib", "rustssl"):
        server = RawServer(_hostile_tls13_server(INNER_NO_TYPE[inner]))
        error = tls_client(MODULES[module_name], certs, server.port)
        got = server.join()
        TABLE.add("client (guard)", f"TLS 1.3 record, inner: {inner}", module_name, got, error)
        results[module_name] = (got, error)
    stdlib_got, _ = results["stdlib"]
    # OpenSSL's client writes in plaintext until the server's Finished.
    assert _fatal_alerts(stdlib_got), "stdlib sent no alert"
    got, error = results["rustssl"]
    assert got.ending != "open", f"no close within {CLOSE_WITHIN}s"
    # Decryption worked: rustls judged the content, not the MAC. rustls
    # queued no alert; the client has sent nothing protected yet, so rustssl
    # sends unexpected_message in plaintext, as OpenSSL's client does.
    assert isinstance(error, rustssl.SSLError) and error.reason == "PEER_MISBEHAVED", error
    assert _fatal_alerts(got) == [UNEXPECTED], got.describe_alert()


def _hostile_tls13_server_after_finished(
    certs: CertSet, inner: bytes, opened: list[bytes]
) -> Callable[[socket.socket], w.Received]:
    """Completes a TLS 1.3 handshake, then sends a protected record holding
    ``inner`` under its application key. Each protected record the client
    sends after its Finished goes into ``opened``, opened under the client's
    application key."""

    def behave(conn: socket.socket) -> w.Received:
        from cryptography.exceptions import InvalidTag

        from reliability.tls13 import full_server_flight

        hello = w.read_client_hello(conn)
        flight, server_traffic, client_traffic = full_server_flight(
            hello, certs.certfile, certs.keyfile
        )
        conn.sendall(flight)
        data = b""
        conn.settimeout(TLS_TIMEOUT)
        # Bounded by the timeout: until the client's Finished (its one
        # protected record of the handshake) is in.
        while not any(r[0] == w.APPLICATION_DATA for r in w.parse_records(data)):
            chunk = conn.recv(65536)
            assert chunk, "the client closed before its Finished"
            data += chunk
        sent_at = send(conn, server_traffic.seal(inner))
        got = w.receive_until_closed(conn, sent_at, CLOSE_WITHIN)
        for ctype, _, body in got.records:
            if ctype == w.APPLICATION_DATA:
                try:
                    opened.append(client_traffic.open(body))
                except InvalidTag:
                    opened.append(b"(does not open under the client's application key)")
        return got

    return behave


@pytest.mark.parametrize("inner", list(INNER_NO_TYPE), ids=list(INNER_NO_TYPE))
def test_client_after_finished_gets_an_encrypted_alert(certs: CertSet, inner: str) -> None:
    """The client side after its Finished: the server's first record under
    its application key has no inner content type. The client's alert must
    be encrypted under the client's application key (RFC 8446 §5.4, §6)."""
    results = {}
    for module_name in ("stdlib", "rustssl"):
        opened: list[bytes] = []
        server = RawServer(
            _hostile_tls13_server_after_finished(certs, INNER_NO_TYPE[inner], opened)
        )
        error = tls_client(MODULES[module_name], certs, server.port)
        got = server.join()
        TABLE.add(
            "client (after Finished)", f"TLS 1.3 record, inner: {inner}", module_name, got, error
        )
        results[module_name] = (got, opened, error)
    _, stdlib_opened, _ = results["stdlib"]
    # The key schedule of tls13.py opens OpenSSL's one fatal alert.
    assert [(a[0], a[2]) for a in stdlib_opened] == [(2, w.ALERT)], stdlib_opened
    got, opened, error = results["rustssl"]
    assert got.ending != "open", f"no close within {CLOSE_WITHIN}s"
    assert isinstance(error, rustssl.SSLError) and error.reason == "PEER_MISBEHAVED", error
    assert opened == [UNEXPECTED_SEALED], opened
