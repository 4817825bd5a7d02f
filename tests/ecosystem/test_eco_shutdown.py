"""A daemon thread blocked in a TLS read when the interpreter exits.

http.server's ThreadingHTTPServer serves each connection in a daemon thread,
so a kept-alive TLS connection leaves one blocked in ``recv`` at exit. With
the stdlib the process still exits 0. Here the peer goes away *during*
finalization, which wakes the thread just when CPython (before 3.14) ends
such threads with ``pthread_exit``.
"""

from __future__ import annotations

import pytest

from .eco_support import child_env, describe, run_python

CHILD = """
import socket, sys, threading, time
if sys.argv[1] == "rustssl":
    import rustssl as ssl
else:
    import ssl
certdir = sys.argv[2]
server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
server_ctx.load_cert_chain(f"{certdir}/server.pem", f"{certdir}/server.key")
client_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
client_ctx.load_verify_locations(f"{certdir}/ca.pem")
listener = socket.create_server(("127.0.0.1", 0))
listener.settimeout(10)
ready = threading.Event()

def serve():
    conn, _ = listener.accept()
    tls = server_ctx.wrap_socket(conn, server_side=True)
    ready.set()
    tls.recv(1)  # blocks until the client goes away

threading.Thread(target=serve, daemon=True).start()
raw = socket.create_connection(listener.getsockname(), timeout=10)
client = client_ctx.wrap_socket(raw, server_hostname="localhost")
assert ready.wait(10)

class CloseDuringFinalization:
    def __del__(self):
        client.close()    # wakes the daemon thread...
        time.sleep(0.3)   # ...and lets it try to take the GIL back

sys.close_late = CloseDuringFinalization()  # torn down after finalization starts
print("exiting", flush=True)
"""


@pytest.mark.parametrize("impl", ["ssl", "rustssl"])
def test_daemon_reader_at_exit(impl: str, eco_certs: str) -> None:
    proc = run_python("-c", CHILD, impl, eco_certs, env=child_env())
    assert proc.stdout.strip() == "exiting", describe(proc)
    assert proc.returncode == 0, describe(proc)
