"""A small TCP load balancer for the benchmarks: round robin over web nodes, one connection at a time.

``python bench/proxy.py LISTEN_PORT BACKEND_PORT [BACKEND_PORT ...]`` on 127.0.0.1.

Each accepted connection goes to the next node in turn and the bytes are copied both
ways until either side closes. It does not parse HTTP: the load generator opens one
connection per request (``Connection: close``), so round robin per connection is round
robin per request, and what the nodes see is exactly what the client sent. A node that
refuses the connection is skipped for that connection (the next one is tried), as a
production balancer's health check would take it out. It counts connections per node
on stdout when it stops (SIGTERM), so the bench can show the load was shared.

A real deployment puts nginx or HAProxy here (buffering request bodies; README,
"Production"); neither is needed to show what several nodes do with one database.
"""
from __future__ import annotations

import asyncio
import itertools
import signal
import sys
from collections import Counter

CHUNK = 256 * 1024


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(CHUNK):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, asyncio.CancelledError):
        pass
    finally:
        try:
            if writer.can_write_eof():
                writer.write_eof()
        except (OSError, RuntimeError):
            pass


async def serve(listen: int, backends: list[int]) -> Counter:
    turn = itertools.cycle(range(len(backends)))
    served: Counter = Counter()

    async def handle(client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        first = next(turn)
        for i in [(first + k) % len(backends) for k in range(len(backends))]:
            try:
                node_r, node_w = await asyncio.open_connection("127.0.0.1", backends[i])
                break
            except OSError:
                served[f"refused by :{backends[i]}"] += 1
        else:
            client_w.close()
            return
        served[backends[i]] += 1
        await asyncio.gather(_pipe(client_r, node_w), _pipe(node_r, client_w))
        for w in (node_w, client_w):
            w.close()

    server = await asyncio.start_server(handle, "127.0.0.1", listen, backlog=4096)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    print("proxy ready", flush=True)
    async with server:
        await stop.wait()
    return served


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    served = asyncio.run(serve(int(argv[0]), [int(p) for p in argv[1:]]))
    print("connections per node: " + ", ".join(f"{k}={n}" for k, n in sorted(served.items(), key=str)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
