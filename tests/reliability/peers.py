"""Loopback harnesses: a one-connection TLS server, a raw hostile peer, and
the results table the hostile-peer tests fill in."""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from conftest import CertSet, client_context, server_context
from reliability.tls_wire import Received

#: Seconds the TLS end under test may take to answer and close.
CLOSE_WITHIN = 1.0
#: How long a hostile peer waits for the close before calling it a hang.
WAIT_FOR_CLOSE = 3.0
#: Socket timeout of the TLS end under test: far above CLOSE_WITHIN, so a
#: close that only comes from this timeout is caught as a hang.
TLS_TIMEOUT = 5.0

RESULTS_DIR = Path(__file__).parent / "results"


@dataclass
class Row:
    """One line of the hostile-input table."""

    side: str
    case: str
    module: str
    alert: str
    ending: str
    close_time: float
    error: str


@dataclass
class Table:
    rows: list[Row] = field(default_factory=list)

    def add(self, side: str, case: str, module: str, got: Received, error: Any) -> None:
        self.rows.append(
            Row(
                side,
                case,
                module,
                got.describe_alert(),
                got.ending,
                got.close_time,
                describe(error),
            )
        )

    def render(self) -> str:
        """A Markdown table: rustssl's row for each input with the stdlib's beside it."""
        by_key: dict[tuple[str, str], dict[str, Row]] = {}
        for row in self.rows:
            by_key.setdefault((row.side, row.case), {})[row.module] = row
        lines = [
            "| rustssl end | hostile input | rustssl alert sent | close (ms) | Python exception"
            " | stdlib/OpenSSL alert | stdlib close (ms) | stdlib exception |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for (side, case), mods in by_key.items():
            r = mods.get("rustssl")
            s = mods.get("stdlib")

            def ms(row: Row | None) -> str:
                if row is None:
                    return "-"
                if row.ending == "open":
                    return "still open"
                return f"{row.close_time * 1000:.0f} ({row.ending})"

            lines.append(
                f"| {side} | {case} | {r.alert if r else '-'} | {ms(r)} | {r.error if r else '-'}"
                f" | {s.alert if s else '-'} | {ms(s)} | {s.error if s else '-'} |"
            )
        return "\n".join(lines) + "\n"


TABLE = Table()


def describe(error: Any) -> str:
    if error is None:
        return "none"
    reason = getattr(error, "reason", None)
    return f"{type(error).__name__}({reason})"


class OneShotServer:
    """Accepts one connection and serves TLS on it with ``module``.

    After a completed handshake it reads until the connection ends. The
    exception that ended it, if any, is kept in ``error``.
    """

    def __init__(self, module: Any, certs: CertSet, *, tls12: bool = False) -> None:
        self.ctx = server_context(module, certs)
        if tls12:
            self.ctx.maximum_version = module.TLSVersion.TLSv1_2
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(10)
        self.port = self.listener.getsockname()[1]
        self.error: BaseException | None = None
        self.completed = False
        self.closed_at = 0.0
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            conn, _ = self.listener.accept()
        except OSError as e:
            self.error = e
            return
        conn.settimeout(TLS_TIMEOUT)
        try:
            with self.ctx.wrap_socket(conn, server_side=True) as tls:
                self.completed = True
                while tls.recv(4096):
                    pass
        except BaseException as e:
            self.error = e
        finally:
            conn.close()
            self.closed_at = time.monotonic()

    def join(self) -> None:
        self.thread.join(TLS_TIMEOUT + 5)
        self.listener.close()
        assert not self.thread.is_alive(), "TLS server thread hung"


class RawServer:
    """A hostile server: runs ``behave(conn)`` on one accepted connection."""

    def __init__(self, behave: Any) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(10)
        self.port = self.listener.getsockname()[1]
        self.behave = behave
        self.received: Received | None = None
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            conn, _ = self.listener.accept()
            with conn:
                self.received = self.behave(conn)
        except BaseException as e:
            self.error = e

    def join(self) -> Received:
        self.thread.join(WAIT_FOR_CLOSE + 10)
        self.listener.close()
        assert not self.thread.is_alive(), "hostile server thread hung"
        if self.error is not None:
            raise self.error
        assert self.received is not None
        return self.received


def tls_client(module: Any, certs: CertSet, port: int, *, tls12: bool = False) -> Any:
    """Connects a TLS client of ``module``; returns the exception, or None."""
    ctx = client_context(module, certs)
    if tls12:
        ctx.maximum_version = module.TLSVersion.TLSv1_2
    raw = socket.create_connection(("127.0.0.1", port), timeout=TLS_TIMEOUT)
    try:
        with ctx.wrap_socket(raw, server_hostname="localhost") as tls:
            while tls.recv(4096):
                pass
    except BaseException as e:
        return e
    finally:
        raw.close()
    return None
