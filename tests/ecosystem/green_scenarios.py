"""gevent and eventlet over rustssl: inject, then monkey-patch, then use.

Started by ``test_eco_matrix.py`` as ``python green_scenarios.py NAME CERTDIR
PEER_JSON``, like ``matrix_scenarios.py``, but the order differs: rustssl is
injected first, the green library patches the standard library second (so it
wraps rustssl), and only then is anything else imported, ``scenarios.py``'s
helpers included. Each scenario serves HTTPS from the green library's own
server, fetches it from many green threads with urllib and http.client, and
checks that a wrong host and an untrusted CA are refused.
"""

from __future__ import annotations

import sys

import rustssl

rustssl.inject_into_ssl()
NAME = sys.argv[1] if len(sys.argv) > 1 else ""
if NAME == "gevent_patch_all":
    from gevent import monkey

    monkey.patch_all()
elif NAME == "eventlet_green":
    import eventlet

    eventlet.monkey_patch()

import http.client  # noqa: E402
import ssl  # noqa: E402
import urllib.error  # noqa: E402
import urllib.request  # noqa: E402
import warnings  # noqa: E402
from collections.abc import Callable  # noqa: E402
from typing import Any  # noqa: E402

from scenarios import (  # noqa: E402
    TIMEOUT,
    cert_failure,
    check_hostname_failure,
    check_untrusted_failure,
    expect,
    path,
)

# eventlet.wrap_ssl() without a context asks for PROTOCOL_TLS, which the
# stdlib deprecates with the same warning (scenarios.py makes warnings errors).
warnings.filterwarnings("ignore", "ssl.PROTOCOL_TLS is deprecated", DeprecationWarning)

#: Concurrent green threads, and requests in all.
GREENLETS = 20
REQUESTS = 60


def wsgi_app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
    out = f"{environ['PATH_INFO']} {environ['wsgi.url_scheme']} ".encode() + body.upper()
    start_response("200 OK", [("Content-Length", str(len(out)))])
    return [out]


def client_context(certdir: str, ca: str = "ca.pem") -> ssl.SSLContext:
    """``ssl.create_default_context``: the green library's class, over rustssl's."""
    ctx = ssl.create_default_context(cafile=path(certdir, ca))
    assert isinstance(ctx, rustssl._ssl._SSLContext), type(ctx).__mro__
    return ctx


def fetch(port: int, i: int) -> None:
    """Request ``i``: urllib for even ones, http.client for odd ones."""
    body = f"green request {i}".encode() * 50
    want = f"/r{i} https ".encode() + body.upper()
    if i % 2:
        conn = http.client.HTTPSConnection(
            "localhost", port, context=client_context(CERTDIR), timeout=TIMEOUT
        )
        try:
            conn.request("POST", f"/r{i}", body=body)
            got = conn.getresponse().read()
        finally:
            conn.close()
    else:
        req = urllib.request.Request(f"https://localhost:{port}/r{i}", data=body)
        with urllib.request.urlopen(req, context=client_context(CERTDIR), timeout=TIMEOUT) as r:
            got = r.read()
    assert got == want, (i, got[:60])


def refusals(port: int) -> None:
    for host, ca, check in (
        ("127.0.0.1", "ca.pem", check_hostname_failure),
        ("localhost", "other_ca.pem", check_untrusted_failure),
    ):
        e = expect(
            urllib.error.URLError,
            lambda host=host, ca=ca: urllib.request.urlopen(
                f"https://{host}:{port}/", context=client_context(CERTDIR, ca), timeout=TIMEOUT
            ),
        )
        check(e)
        cert_failure(e)


def gevent_patch_all() -> None:
    import gevent
    import gevent.pool
    from gevent.pywsgi import WSGIServer

    assert ssl.SSLContext.__module__.startswith("gevent"), ssl.SSLContext
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_ctx.load_cert_chain(path(CERTDIR, "server.pem"), path(CERTDIR, "server.key"))
    server = WSGIServer(
        ("127.0.0.1", 0), wsgi_app, ssl_context=server_ctx, log=None, error_log=None
    )
    server.start()
    try:
        port = server.server_port
        with gevent.Timeout(TIMEOUT * 3):
            pool = gevent.pool.Pool(GREENLETS)
            for job in [pool.spawn(fetch, port, i) for i in range(REQUESTS)]:
                job.get()
            refusals(port)
    finally:
        server.stop(timeout=TIMEOUT)


def eventlet_green() -> None:
    import eventlet
    import eventlet.wsgi

    listener = eventlet.listen(("127.0.0.1", 0))
    port = listener.getsockname()[1]  # wrap_ssl detaches the listener
    tls_listener = eventlet.wrap_ssl(
        listener,
        certfile=path(CERTDIR, "server.pem"),
        keyfile=path(CERTDIR, "server.key"),
        server_side=True,
    )
    quiet = type("Quiet", (), {"write": lambda self, s: None, "flush": lambda self: None})()
    server = eventlet.spawn(
        eventlet.wsgi.server, tls_listener, wsgi_app, log=quiet, log_output=False
    )
    try:
        with eventlet.Timeout(TIMEOUT * 3):
            pool = eventlet.GreenPool(GREENLETS)
            for _ in pool.imap(lambda i: fetch(port, i), range(REQUESTS)):
                pass
            refusals(port)
    finally:
        server.kill()


SCENARIOS: dict[str, Callable[[], None]] = {
    "gevent_patch_all": gevent_patch_all,
    "eventlet_green": eventlet_green,
}

if __name__ == "__main__":
    CERTDIR = sys.argv[2]
    SCENARIOS[NAME]()
    print(f"PASS {NAME}", flush=True)
