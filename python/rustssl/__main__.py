"""``python -m rustssl``: the demo and other command-line tools."""

from __future__ import annotations

import argparse
import os
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Sequence

import rustssl
from rustssl import _ssl

DEMO_BYTES = 64 * 1024 * 1024
CHUNK = 64 * 1024


def _write_pem(directory: str, name: str, text: str) -> str:
    path = os.path.join(directory, name)
    with open(path, "w", encoding="ascii") as f:
        f.write(text)
    return path


def _serve_once(server_ctx: rustssl.SSLContext, listener: socket.socket, total: int) -> None:
    conn, _addr = listener.accept()
    with server_ctx.wrap_socket(conn, server_side=True) as tls:
        buf = bytearray(CHUNK)
        received = 0
        while received < total:
            n = tls.recv_into(buf)
            if not n:
                break
            received += n
        tls.sendall(received.to_bytes(8, "big"))


def demo() -> int:
    """Runs a TLS server and client on loopback and reports what they negotiated."""
    with tempfile.TemporaryDirectory(prefix="rustssl-demo-") as tmp:
        (ca_cert, _ca_key), (leaf_cert, leaf_key) = _ssl._generate_certificates(
            ["localhost", "127.0.0.1"], "ecdsa-p256"
        )
        cafile = _write_pem(tmp, "ca.pem", ca_cert)
        certfile = _write_pem(tmp, "leaf.pem", leaf_cert)
        keyfile = _write_pem(tmp, "leaf.key", leaf_key)

        server_ctx = rustssl.SSLContext(rustssl.PROTOCOL_TLS_SERVER)
        server_ctx.load_cert_chain(certfile, keyfile)
        server_ctx.set_alpn_protocols(["h2", "http/1.1"])
        client_ctx = rustssl.create_default_context(cafile=cafile)
        client_ctx.set_alpn_protocols(["h2"])

        with socket.create_server(("127.0.0.1", 0)) as listener:
            listener.settimeout(30)
            port = listener.getsockname()[1]
            server = threading.Thread(
                target=_serve_once, args=(server_ctx, listener, DEMO_BYTES), daemon=True
            )
            server.start()
            started = time.perf_counter()
            with socket.create_connection(("127.0.0.1", port), timeout=30) as raw:
                with client_ctx.wrap_socket(raw, server_hostname="localhost") as tls:
                    handshake_ms = (time.perf_counter() - started) * 1000
                    peer = tls.getpeercert()
                    subject = ", ".join(f"{k}={v}" for rdn in peer["subject"] for k, v in rdn)
                    name, _protocol, bits = tls.cipher()
                    print(f"rustssl {rustssl.__version__}: {rustssl.OPENSSL_VERSION}")
                    print(f"version:       {tls.version()}")
                    print(f"cipher:        {name} ({bits} bits)")
                    print(f"key exchange:  {tls._sslobj._group()}")
                    print(f"ALPN:          {tls.selected_alpn_protocol()}")
                    print(f"peer subject:  {subject}")
                    print(f"peer SAN:      {peer.get('subjectAltName')}")
                    print(f"handshake:     {handshake_ms:.2f} ms")
                    block = os.urandom(CHUNK)
                    started = time.perf_counter()
                    for _ in range(DEMO_BYTES // CHUNK):
                        tls.sendall(block)
                    echoed = int.from_bytes(tls.recv(8), "big")
                    elapsed = time.perf_counter() - started
            server.join(timeout=30)
        if echoed != DEMO_BYTES:
            print(f"server received {echoed} bytes, expected {DEMO_BYTES}", file=sys.stderr)
            return 1
        mib = DEMO_BYTES / (1024 * 1024)
        print(f"throughput:    {mib:.0f} MiB in {elapsed:.3f} s = {mib / elapsed:.0f} MiB/s")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m rustssl", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("demo", help="TLS server and client on loopback, with what they negotiated")
    args = parser.parse_args(argv)
    if args.command == "demo":
        return demo()
    return 2


if __name__ == "__main__":
    sys.exit(main())
