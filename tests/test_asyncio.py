"""asyncio streams given a rustssl context on both ends, with no injection."""

from __future__ import annotations

import asyncio

import rustssl
from conftest import CertSet, client_context, server_context


def test_open_connection_to_start_server(certs: CertSet) -> None:
    async def main() -> tuple[bytes, str | None]:
        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            data = await reader.readexactly(5)
            writer.write(data.upper() + b"!")
            await writer.drain()
            writer.close()
            await writer.wait_closed()

        server = await asyncio.start_server(
            handle, "127.0.0.1", 0, ssl=server_context(rustssl, certs)
        )
        port = server.sockets[0].getsockname()[1]
        async with server:
            reader, writer = await asyncio.open_connection(
                "127.0.0.1", port, ssl=client_context(rustssl, certs), server_hostname="localhost"
            )
            writer.write(b"hello")
            await writer.drain()
            reply = await reader.read()
            version = writer.get_extra_info("ssl_object").version()
            writer.close()
            await writer.wait_closed()
        return reply, version

    reply, version = asyncio.run(asyncio.wait_for(main(), 20))
    assert reply == b"HELLO!"
    assert version == "TLSv1.3"
