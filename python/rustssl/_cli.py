"""The ``python -m rustssl`` command line: demo, connect, serve, info and run.

``demo``     a TLS server and client on loopback, with what they negotiated
``connect``  a handshake with HOST:PORT: version, suite, group, ALPN, chain, verification
``serve``    a local TLS echo or HTTPS server with a freshly generated certificate
``info``     versions, trust store, suites and groups on offer, injection state
``run``      runs a script (``run script.py ARGS``) or module (``run -m mod ARGS``)
             with rustssl injected first
"""

from __future__ import annotations

import argparse
import os
import platform
import runpy
import socket
import sys
import sysconfig
import tempfile
import threading
import time
from collections.abc import Sequence
from typing import Any

import rustssl
from rustssl import _ssl

DEMO_BYTES = 64 * 1024 * 1024
CHUNK = 64 * 1024
#: Names the generated certificates of ``demo`` and ``serve`` are valid for.
LOCAL_NAMES = ["localhost", "127.0.0.1", "::1"]
#: The name of the start-up hook the wheel installs into site-packages.
STARTUP_HOOK = "rustssl_inject.pth"


def _write_pem(directory: str, name: str, text: str) -> str:
    path = os.path.join(directory, name)
    with open(path, "w", encoding="ascii") as f:
        f.write(text)
    return path


def _split_alpn(values: Sequence[str] | None) -> list[str]:
    """``--alpn h2 --alpn http/1.1`` and ``--alpn h2,http/1.1`` alike."""
    return [p for value in values or () for p in value.split(",") if p]


# --- demo ---------------------------------------------------------------------


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


def demo(total: int = DEMO_BYTES) -> int:
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
                target=_serve_once, args=(server_ctx, listener, total), daemon=True
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
                    for _ in range(total // CHUNK):
                        tls.sendall(block)
                    echoed = int.from_bytes(tls.recv(8), "big")
                    elapsed = time.perf_counter() - started
            server.join(timeout=30)
        if echoed != total:
            print(f"server received {echoed} bytes, expected {total}", file=sys.stderr)
            return 1
        mib = total / (1024 * 1024)
        print(f"throughput:    {mib:.0f} MiB in {elapsed:.3f} s = {mib / elapsed:.0f} MiB/s")
    return 0


# --- connect ------------------------------------------------------------------


def _parse_target(target: str, default_port: int = 443) -> tuple[str, int]:
    """``host``, ``host:port``, ``[v6]:port`` or a bare IPv6 address."""
    if target.startswith("["):
        host, bracket, rest = target[1:].partition("]")
        if not bracket or (rest and not rest.startswith(":")):
            raise ValueError(f"bad address {target!r}: use [IPv6]:PORT")
        port = rest[1:]
    elif target.count(":") == 1:
        host, port = target.split(":")
    else:
        host, port = target, ""
    if not host:
        raise ValueError(f"no host in {target!r}")
    if port and not port.isdigit():
        raise ValueError(f"bad port in {target!r}")
    return host, int(port) if port else default_port


def _name(rdns: Any) -> str:
    return ", ".join(f"{key}={value}" for rdn in rdns or () for key, value in rdn)


def _describe_chain(tls: rustssl.SSLSocket) -> list[str]:
    lines = []
    chain = tls._sslobj.get_unverified_chain() or []
    lines.append(f"chain:          {len(chain)} certificate(s), as sent by the peer")
    for depth, cert in enumerate(chain):
        info = cert.get_info()
        lines.append(f"  {depth} subject:  {_name(info.get('subject'))}")
        lines.append(f"    issuer:   {_name(info.get('issuer'))}")
        lines.append(f"    valid:    {info.get('notBefore')} to {info.get('notAfter')}")
        san = info.get("subjectAltName")
        if san:
            lines.append("    names:    " + ", ".join(f"{kind}:{value}" for kind, value in san))
    return lines


def _handshake(
    ctx: rustssl.SSLContext, address: tuple[str, int], sni: str | None, timeout: float
) -> tuple[rustssl.SSLSocket, float, float]:
    started = time.perf_counter()
    raw = socket.create_connection(address, timeout=timeout)
    connected = time.perf_counter()
    try:
        tls = ctx.wrap_socket(raw, server_hostname=sni, do_handshake_on_connect=False)
        tls.do_handshake()
    except BaseException:
        raw.close()
        raise
    done = time.perf_counter()
    return tls, (connected - started) * 1000, (done - connected) * 1000


def connect(args: argparse.Namespace) -> int:
    """Handshakes with HOST:PORT and prints what was negotiated and verified."""
    try:
        host, port = _parse_target(args.target)
    except ValueError as e:
        print(f"rustssl connect: {e}", file=sys.stderr)
        return 2
    sni = args.sni if args.sni is not None else host
    alpn = _split_alpn(args.alpn)

    def context(verify: bool) -> rustssl.SSLContext:
        ctx = rustssl.create_default_context(cafile=args.cafile, capath=args.capath)
        if not verify:
            ctx.check_hostname = False
            ctx.verify_mode = rustssl.CERT_NONE
        if alpn:
            ctx.set_alpn_protocols(alpn)
        return ctx

    verify_code, verify_message = 0, "ok"
    try:
        tls, connect_ms, handshake_ms = _handshake(context(True), (host, port), sni, args.timeout)
    except rustssl.SSLCertVerificationError as e:
        verify_code = e.verify_code if e.verify_code is not None else -1
        verify_message = e.verify_message or str(e)
        try:  # again without verification, to show what the peer sent
            tls, connect_ms, handshake_ms = _handshake(
                context(False), (host, port), sni, args.timeout
            )
        except (OSError, ValueError) as e2:
            print(f"rustssl connect: verification failed: {verify_code} ({verify_message})")
            print(f"rustssl connect: {host}:{port}: {e2}", file=sys.stderr)
            return 1
    except (OSError, ValueError) as e:
        print(f"rustssl connect: {host}:{port}: {e}", file=sys.stderr)
        return 1
    with tls:
        name, _protocol, bits = tls.cipher() or ("?", "?", 0)
        peer_ip = tls.getpeername()[0]
        print(f"connected:      {host}:{port} ({peer_ip}) in {connect_ms:.2f} ms")
        print(f"SNI:            {sni or '(none)'}")
        print(f"version:        {tls.version()}")
        print(f"cipher:         {name} ({bits} bits)")
        print(f"group:          {tls._sslobj._group() or '(none)'}")
        print(f"ALPN:           {tls.selected_alpn_protocol() or '(none)'}")
        print(f"session reused: {tls.session_reused}")
        for line in _describe_chain(tls):
            print(line)
        outcome = "ok" if verify_code == 0 else "FAILED"
        print(f"verification:   {outcome}: {verify_code} ({verify_message})")
        print(f"handshake:      {handshake_ms:.2f} ms")
    return 0 if verify_code == 0 else 1


# --- serve --------------------------------------------------------------------


def _https_handler() -> type:
    # http.server imports http.client, which binds ``ssl``: imported only when
    # serving, so that ``run`` injects before any of it is imported.
    import http.server

    class HTTPSHandler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = f"rustssl/{rustssl.__version__}"

        def do_GET(self) -> None:
            tls = self.request
            name, _protocol, bits = tls.cipher()
            body = (
                f"rustssl {rustssl.__version__} says hello\n"
                f"path:    {self.path}\n"
                f"version: {tls.version()}\n"
                f"cipher:  {name} ({bits} bits)\n"
                f"group:   {tls._sslobj._group()}\n"
                f"ALPN:    {tls.selected_alpn_protocol()}\n"
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            print(f"{self.client_address[0]} {format % args}", file=sys.stderr, flush=True)

    return HTTPSHandler


def _echo(tls: rustssl.SSLSocket) -> None:
    while True:
        data = tls.recv(CHUNK)
        if not data:
            break
        tls.sendall(data)


def _serve_connection(
    ctx: rustssl.SSLContext,
    conn: socket.socket,
    address: Any,
    mode: str,
    server: Any,
    timeout: float,
) -> None:
    try:
        conn.settimeout(timeout)
        with ctx.wrap_socket(conn, server_side=True) as tls:
            print(
                f"{address[0]}:{address[1]} {tls.version()} {tls.cipher()[0]} "
                f"ALPN={tls.selected_alpn_protocol()}",
                file=sys.stderr,
                flush=True,
            )
            if mode == "https":
                server.RequestHandlerClass(tls, address, server)
            else:
                _echo(tls)
    except (OSError, ValueError) as e:
        print(f"{address[0]}:{address[1]} {type(e).__name__}: {e}", file=sys.stderr, flush=True)
    finally:
        conn.close()


def serve(args: argparse.Namespace) -> int:
    """Runs a TLS echo or HTTPS server with a freshly generated certificate."""
    names = args.name or LOCAL_NAMES
    (ca_cert, _ca_key), (leaf_cert, leaf_key) = _ssl._generate_certificates(names, args.key_type)
    certdir = args.certdir or tempfile.mkdtemp(prefix="rustssl-serve-")
    os.makedirs(certdir, exist_ok=True)
    cafile = _write_pem(certdir, "ca.pem", ca_cert)
    certfile = _write_pem(certdir, "cert.pem", leaf_cert)
    keyfile = _write_pem(certdir, "key.pem", leaf_key)
    ctx = rustssl.SSLContext(rustssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(certfile, keyfile)
    alpn = _split_alpn(args.alpn) or (["http/1.1"] if args.mode == "https" else [])
    if alpn:
        ctx.set_alpn_protocols(alpn)

    family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
    with socket.create_server((args.host, args.port), family=family) as listener:
        port = listener.getsockname()[1]
        shown = f"[{args.host}]" if family == socket.AF_INET6 else args.host
        server = None
        if args.mode == "https":
            import http.server

            # Never bound: it only gives the handlers their ``server`` attribute.
            server = http.server.HTTPServer(
                (args.host, port), _https_handler(), bind_and_activate=False
            )
        print(f"rustssl {args.mode} server listening on {shown}:{port}", flush=True)
        print(f"CA certificate: {cafile}", flush=True)
        print(f"certificate for: {', '.join(names)} ({args.key_type})", flush=True)
        scheme = "https" if args.mode == "https" else "tls"
        print(
            f"try: python -m rustssl connect {shown}:{port} --cafile {cafile} --sni {names[0]}"
            + (
                "" if scheme == "tls" else f"  |  curl --cacert {cafile} https://{names[0]}:{port}/"
            ),
            flush=True,
        )
        served = 0
        threads = []
        try:
            while args.count is None or served < args.count:
                conn, address = listener.accept()
                served += 1
                thread = threading.Thread(
                    target=_serve_connection,
                    args=(ctx, conn, address, args.mode, server, args.timeout),
                    daemon=True,
                )
                thread.start()
                threads.append(thread)
        except KeyboardInterrupt:
            print("stopped", file=sys.stderr)
            return 0
        for thread in threads:
            thread.join(args.timeout)
        if server is not None:
            server.server_close()
    return 0


# --- info ---------------------------------------------------------------------


def _handshake_in_memory(
    client: rustssl.SSLContext, server: rustssl.SSLContext, rounds: int = 10
) -> rustssl.SSLObject | None:
    """A handshake over memory BIOs; the client's SSLObject, or None if it failed."""
    c_in, c_out, s_in, s_out = (rustssl.MemoryBIO() for _ in range(4))
    client_obj = client.wrap_bio(c_in, c_out, server_hostname="localhost")
    server_obj = server.wrap_bio(s_in, s_out, server_side=True)
    done = [False, False]
    try:
        for _ in range(rounds):
            for i, (obj, out, peer_in) in enumerate(
                ((client_obj, c_out, s_in), (server_obj, s_out, c_in))
            ):
                if not done[i]:
                    try:
                        obj.do_handshake()
                        done[i] = True
                    except rustssl.SSLWantReadError:
                        pass
                data = out.read()
                if data:
                    peer_in.write(data)
            if all(done):
                return client_obj
    except rustssl.SSLError:
        return None
    return None


def _groups_on_offer() -> list[str]:
    """The key-exchange groups a default client offers, probed with loopback handshakes."""
    (ca_cert, _), (leaf_cert, leaf_key) = _ssl._generate_certificates(["localhost"], "ecdsa-p256")
    with tempfile.TemporaryDirectory(prefix="rustssl-info-") as tmp:
        certfile = _write_pem(tmp, "cert.pem", leaf_cert)
        keyfile = _write_pem(tmp, "key.pem", leaf_key)
        client = rustssl.SSLContext(rustssl.PROTOCOL_TLS_CLIENT)
        client.load_verify_locations(cadata=ca_cert)
        found = []
        default_server = rustssl.SSLContext(rustssl.PROTOCOL_TLS_SERVER)
        default_server.load_cert_chain(certfile, keyfile)
        obj = _handshake_in_memory(client, default_server)
        preferred = obj._sslobj._group() if obj is not None else None
        if preferred:
            found.append(f"{preferred} (negotiated by default)")
        candidates = ("X25519MLKEM768", "SecP256r1MLKEM768", "x25519", "prime256v1", "secp384r1")
        for curve in candidates:
            server = rustssl.SSLContext(rustssl.PROTOCOL_TLS_SERVER)
            server.load_cert_chain(certfile, keyfile)
            try:
                server.set_ecdh_curve(curve)
            except (ValueError, rustssl.SSLError):
                continue
            obj = _handshake_in_memory(client, server)
            group = obj._sslobj._group() if obj is not None else None
            if group and group != preferred:
                found.append(group)
    return found


def _startup_hook_paths() -> list[str]:
    dirs = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    return sorted(
        os.path.join(d, STARTUP_HOOK) for d in dirs if os.path.exists(os.path.join(d, STARTUP_HOOK))
    )


def info(args: argparse.Namespace) -> int:
    """Prints versions, the trust store, suites and groups on offer, and injection state."""
    from rustssl._startup import ENV_VAR, requested

    print(f"rustssl:        {rustssl.__version__}")
    print(f"TLS library:    {rustssl.OPENSSL_VERSION}")
    print(f"Python:         {platform.python_implementation()} {platform.python_version()}")
    print(f"platform:       {platform.platform()}")
    print(f"module:         {os.path.dirname(rustssl.__file__)}")
    versions = [
        name
        for name, flag in (("TLSv1.2", rustssl.HAS_TLSv1_2), ("TLSv1.3", rustssl.HAS_TLSv1_3))
        if flag
    ]
    print(f"TLS versions:   {', '.join(versions)}")

    paths = rustssl.get_default_verify_paths()
    print("trust store:")
    print(f"  cafile:       {paths.cafile}  (${paths.openssl_cafile_env} overrides)")
    print(f"  capath:       {paths.capath}  (${paths.openssl_capath_env} overrides)")
    for env in (paths.openssl_cafile_env, paths.openssl_capath_env):
        if os.environ.get(env):
            print(f"  ${env} = {os.environ[env]}")
    try:
        stats = rustssl.create_default_context().cert_store_stats()
        print(f"  loaded:       {stats.get('x509_ca', 0)} CA certificate(s) by a default context")
    except (OSError, ValueError) as e:
        print(f"  loaded:       none ({e})")

    ctx = rustssl.create_default_context()
    print("cipher suites on offer (client, default settings):")
    for cipher in ctx.get_ciphers():
        print(f"  {cipher['protocol']:<8} {cipher['name']}")
    print("key-exchange groups on offer:")
    for group in _groups_on_offer():
        print(f"  {group}")

    hooks = _startup_hook_paths()
    print("injection:")
    print(f"  active:       {'yes' if rustssl.is_injected() else 'no'} (in this process)")
    print(f"  ${ENV_VAR}: {os.environ.get(ENV_VAR, '(unset)')}", end="")
    print(" -> injects at start-up" if requested() and hooks else "")
    print(f"  start-up hook: {', '.join(hooks) if hooks else 'not installed (editable build?)'}")
    return 0


# --- run ----------------------------------------------------------------------

_RUN_USAGE = "usage: python -m rustssl run (script.py | -m module) [args...]"


def run(argv: Sequence[str]) -> int:
    """Runs a script or module as ``__main__`` with rustssl injected first."""
    argv = list(argv)
    if not argv or argv[0] in ("-h", "--help"):
        print(_RUN_USAGE, file=sys.stderr if not argv else sys.stdout)
        return 0 if argv else 2
    rustssl.inject_into_ssl()
    if argv[0] == "-m":
        if len(argv) < 2:
            print(_RUN_USAGE, file=sys.stderr)
            return 2
        module = argv[1]
        sys.argv = [module, *argv[2:]]
        runpy.run_module(module, run_name="__main__", alter_sys=True)
        return 0
    script = argv[0]
    if not os.path.exists(script):
        print(f"python -m rustssl run: can't open file {script!r}", file=sys.stderr)
        return 2
    sys.argv = list(argv)
    # As `python script.py` does: the script's directory comes first on sys.path.
    sys.path[0] = os.path.dirname(os.path.abspath(script))
    runpy.run_path(script, run_name="__main__")
    return 0


# --- main -----------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m rustssl",
        description="rustssl: Python's ssl module on rustls.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="run: python -m rustssl run (script.py | -m module) [args...] runs a "
        "program with rustssl injected in place of ssl.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    sub.add_parser("demo", help="TLS server and client on loopback, with what they negotiated")

    p = sub.add_parser("connect", help="handshake with HOST:PORT and show the result")
    p.add_argument("target", metavar="HOST:PORT", help="host and port (443 if left out)")
    p.add_argument("--alpn", action="append", metavar="PROTO", help="ALPN protocol(s) to offer")
    p.add_argument("--cafile", help="trust these CA certificates instead of the system's")
    p.add_argument("--capath", help="trust this hashed CA directory instead of the system's")
    p.add_argument("--sni", help="server name to send and verify (default: HOST)")
    p.add_argument("--timeout", type=float, default=10.0, help="seconds (default 10)")

    p = sub.add_parser("serve", help="local TLS echo or HTTPS server with a generated certificate")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8443, help="port (default 8443; 0 picks one)")
    p.add_argument("--mode", choices=("echo", "https"), default="echo")
    p.add_argument("--alpn", action="append", metavar="PROTO", help="ALPN protocol(s) to accept")
    p.add_argument("--name", action="append", metavar="NAME", help="name(s) for the certificate")
    p.add_argument(
        "--key-type",
        default="ecdsa-p256",
        choices=("ecdsa-p256", "ecdsa-p384", "ed25519", "rsa2048"),
    )
    p.add_argument("--certdir", help="where to write ca.pem, cert.pem, key.pem")
    p.add_argument("--count", type=int, help="stop after this many connections")
    p.add_argument("--timeout", type=float, default=30.0, help="per-connection timeout")

    sub.add_parser("info", help="versions, trust store, suites and groups, injection state")
    sub.add_parser("run", help="run a script or module with rustssl injected", add_help=False)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "run":
        # Everything after `run` belongs to the program, so argparse never sees it.
        return run(argv[1:])
    args = _parser().parse_args(argv)
    if args.command == "demo":
        return demo()
    if args.command == "connect":
        return connect(args)
    if args.command == "serve":
        return serve(args)
    if args.command == "info":
        return info(args)
    return 2
