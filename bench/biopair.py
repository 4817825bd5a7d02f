"""Two ``SSLObject``s joined by ``MemoryBIO``s in one process.

Kept apart from ``worker.py`` so that the ``startup`` axis can use it in a
fresh interpreter without importing asyncio (which imports ``ssl``).
"""

from __future__ import annotations

from typing import Any

KiB = 1024
CHUNK = 64 * KiB
SNI = "localhost"


class BioPair:
    """A client and a server ``SSLObject`` joined by ``MemoryBIO``s, in one process."""

    def __init__(self, mod: Any, client_ctx: Any, server_ctx: Any) -> None:
        self.want_read = mod.SSLWantReadError
        self.c_in, self.c_out = mod.MemoryBIO(), mod.MemoryBIO()
        self.s_in, self.s_out = mod.MemoryBIO(), mod.MemoryBIO()
        self.client = client_ctx.wrap_bio(self.c_in, self.c_out, server_hostname=SNI)
        self.server = server_ctx.wrap_bio(self.s_in, self.s_out, server_side=True)
        self._handshake()

    def _handshake(self) -> None:
        done = [False, False]
        for _ in range(50):
            for i, obj in enumerate((self.client, self.server)):
                if not done[i]:
                    try:
                        obj.do_handshake()
                        done[i] = True
                    except self.want_read:
                        pass
                self._carry()
            if all(done):
                return
        raise RuntimeError("in-memory handshake did not finish")

    def _carry(self) -> None:
        if self.c_out.pending:
            self.s_in.write(self.c_out.read())
        if self.s_out.pending:
            self.c_in.write(self.s_out.read())

    def transfer(self, total: int) -> None:
        """Client → server: ``total`` bytes in 64 KiB writes, read into one buffer."""
        chunk = memoryview(bytes(CHUNK))
        buf = bytearray(CHUNK)
        view = memoryview(buf)
        client, server, c_out, s_in = self.client, self.server, self.c_out, self.s_in
        want_read = self.want_read
        got = 0
        for _ in range(total // CHUNK):
            client.write(chunk)
            s_in.write(c_out.read())
            while True:
                try:
                    got += server.read(CHUNK, view)
                except want_read:
                    break
        if got != total:
            raise RuntimeError(f"received {got} of {total}")
