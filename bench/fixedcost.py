"""Per-connection fixed costs, for ``valgrind --tool=callgrind`` A/B runs.

    python bench/fixedcost.py MODE MODULE N [CERTDIR]

MODE is one of

- ``bio-resumed``: N resumed TLS 1.3 handshakes between two ``SSLObject``s
  over ``MemoryBIO``s in this thread, each offering the previous session;
- ``bio-full``: N full handshakes the same way, the server sending no
  tickets (the ``hs-sansio`` axis, ECDSA, default groups);
- ``sock-resumed``: N resumed handshakes over loopback TCP, the server in a
  second thread: connect, handshake, read one byte the server sends, close
  (the ``hs-resumed`` axis in one process);
- ``rtt``: N 1-byte round trips over one loopback TLS connection to an echo
  thread (the ``rtt-1b`` axis in one process).

Everything is deterministic but the thread switches, so the instruction
count per connection is ``(count(N2) - count(N1)) / (N2 - N1)``: run twice
with two values of N and subtract, which removes start-up and set-up. Wall
time is not the point (see ``docs/performance.md``).
"""

from __future__ import annotations

import importlib
import socket
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

SNI = "localhost"


def certificates(directory: Path) -> None:
    from rustssl import _ssl

    (ca_pem, _), (leaf_pem, leaf_key) = _ssl._generate_certificates(["localhost"], "ecdsa-p256")
    (directory / "ca.pem").write_text(ca_pem)
    (directory / "leaf.pem").write_text(leaf_pem)
    (directory / "leaf.key").write_text(leaf_key)


def contexts(mod: Any, d: Path) -> tuple[Any, Any]:
    client = mod.SSLContext(mod.PROTOCOL_TLS_CLIENT)
    client.load_verify_locations(cafile=str(d / "ca.pem"))
    server = mod.SSLContext(mod.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(str(d / "leaf.pem"), str(d / "leaf.key"))
    return client, server


def bio_handshake(mod: Any, client_ctx: Any, server_ctx: Any, session: Any) -> Any:
    c_in, c_out, s_in, s_out = mod.MemoryBIO(), mod.MemoryBIO(), mod.MemoryBIO(), mod.MemoryBIO()
    kw: dict[str, Any] = {"session": session} if session is not None else {}
    client = client_ctx.wrap_bio(c_in, c_out, server_hostname=SNI, **kw)
    server = server_ctx.wrap_bio(s_in, s_out, server_side=True)
    want = mod.SSLWantReadError
    done = [False, False]
    for _ in range(20):
        for i, obj in enumerate((client, server)):
            if not done[i]:
                try:
                    obj.do_handshake()
                    done[i] = True
                except want:
                    pass
            if c_out.pending:
                s_in.write(c_out.read())
            if s_out.pending:
                c_in.write(s_out.read())
        if all(done):
            break
    # The server's greeting carries the tickets along; reading it stores them.
    server.write(b"x")
    c_in.write(s_out.read())
    if client.read(1) != b"x":
        raise RuntimeError("no greeting")
    if session is not None and not client.session_reused:
        raise RuntimeError("not resumed")
    return client.session


def bio_resumed(mod: Any, d: Path, n: int) -> None:
    client, server = contexts(mod, d)
    session = bio_handshake(mod, client, server, None)
    for _ in range(n):
        session = bio_handshake(mod, client, server, session)


def bio_full(mod: Any, d: Path, n: int) -> None:
    client, server = contexts(mod, d)
    server.num_tickets = 0
    for _ in range(n):
        bio_handshake(mod, client, server, None)


def sock_resumed(mod: Any, d: Path, n: int) -> None:
    client, server = contexts(mod, d)
    listener = socket.create_server(("127.0.0.1", 0))
    addr = listener.getsockname()

    def serve() -> None:
        for _ in range(n + 1):
            conn, _ = listener.accept()
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            tls = server.wrap_socket(conn, server_side=True)
            tls.sendall(b"x")
            tls.recv(1)
            tls.close()

    t = threading.Thread(target=serve)
    t.start()
    session = None
    for i in range(n + 1):
        kw: dict[str, Any] = {"session": session} if session is not None else {}
        raw = socket.create_connection(addr)
        raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        tls = client.wrap_socket(raw, server_hostname=SNI, **kw)
        if tls.recv(1) != b"x":
            raise RuntimeError("no greeting")
        if i and not tls.session_reused:
            raise RuntimeError("not resumed")
        session = tls.session
        tls.close()
    t.join()
    listener.close()


def rtt(mod: Any, d: Path, n: int) -> None:
    client, server = contexts(mod, d)
    listener = socket.create_server(("127.0.0.1", 0))
    addr = listener.getsockname()

    def serve() -> None:
        conn, _ = listener.accept()
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        tls = server.wrap_socket(conn, server_side=True)
        buf = bytearray(1024)
        view = memoryview(buf)
        while True:
            got = tls.recv_into(view)
            if got == 0:
                break
            tls.sendall(view[:got])
        tls.close()

    t = threading.Thread(target=serve)
    t.start()
    raw = socket.create_connection(addr)
    raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    tls = client.wrap_socket(raw, server_hostname=SNI)
    buf = bytearray(1)
    view = memoryview(buf)
    for _ in range(n):
        tls.sendall(b"p")
        if tls.recv_into(view) != 1:
            raise RuntimeError("peer closed")
    tls.close()
    t.join()
    listener.close()


MODES = {"bio-full": bio_full, "bio-resumed": bio_resumed, "sock-resumed": sock_resumed, "rtt": rtt}


def main(argv: list[str]) -> None:
    mode, module, n = argv[0], argv[1], int(argv[2])
    mod = importlib.import_module(module)
    if len(argv) > 3:
        MODES[mode](mod, Path(argv[3]), n)
        return
    with tempfile.TemporaryDirectory() as tmp:
        certificates(Path(tmp))
        MODES[mode](mod, Path(tmp), n)


if __name__ == "__main__":
    main(sys.argv[1:])
