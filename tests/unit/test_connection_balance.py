"""Workers of a multi-process engine share their connections by the board's "least connections" rule: a burst
of clients is split evenly, a worker holding more steps aside for one holding fewer, and a connection is
never left waiting longer than MAX_WAIT_S for a worker that does not take it."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from pathlib import Path

import uvloop

from amplify_py.local import connection_balance
from amplify_py.local.connection_balance import ABSENT, BalancedAcceptor, ConnectionBoard


def test_board_starts_absent_and_keeps_each_slots_count(tmp_path: Path) -> None:
    board = ConnectionBoard.create(tmp_path / "board", 3)
    assert [board.count(slot) for slot in range(3)] == [ABSENT] * 3
    assert board.least_other(0) == ABSENT
    other = ConnectionBoard(tmp_path / "board", 3)  # what a worker maps
    other.publish(1, 4)
    other.publish(2, 2)
    assert board.count(1) == 4 and board.least_other(0) == 2 and board.least_other(2) == 4
    board.close()
    other.close()


def test_a_new_board_forgets_the_last_engines_counts(tmp_path: Path) -> None:
    ConnectionBoard.create(tmp_path / "board", 2).publish(0, 7)
    assert ConnectionBoard.create(tmp_path / "board", 2).count(0) == ABSENT


def _listener() -> socket.socket:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    return sock


async def _burst(listener: socket.socket, count: int) -> list[socket.socket]:
    clients = []
    for _ in range(count):
        client = socket.socket()
        client.setblocking(False)
        try:
            client.connect(listener.getsockname())
        except BlockingIOError:
            pass
        clients.append(client)
    return clients


def test_a_burst_of_connections_is_split_evenly(tmp_path: Path) -> None:
    """Two acceptors, each on its own event loop (as each worker has), and ten clients connecting at once."""
    listener, board = _listener(), ConnectionBoard.create(tmp_path / "board", 2)
    held: list[list[socket.socket]] = [[], []]
    ready, done = threading.Barrier(3), threading.Event()

    def worker(slot: int) -> None:
        async def main() -> None:
            acceptor = BalancedAcceptor(listener, board, slot, held[slot].append)
            acceptor.start(asyncio.get_running_loop())
            ready.wait()
            while not done.is_set():
                await asyncio.sleep(0.002)
            acceptor.close()
            await acceptor.wait_closed()

        uvloop.run(main())

    threads = [threading.Thread(target=worker, args=(slot,)) for slot in (0, 1)]
    for thread in threads:
        thread.start()
    ready.wait()
    clients = [socket.create_connection(listener.getsockname()) for _ in range(10)]
    deadline = time.monotonic() + 5
    while sum(map(len, held)) < 10 and time.monotonic() < deadline:
        time.sleep(0.005)
    done.set()
    for thread in threads:
        thread.join()
    assert sorted(map(len, held)) == [5, 5]
    assert board.count(0) == board.count(1) == ABSENT  # closed: neither attracts connections now
    assert all(conn.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) for conn in [*held[0], *held[1]])
    for conn in [*held[0], *held[1], *clients]:
        conn.close()
    listener.close()


def test_a_worker_with_more_connections_waits_at_most_max_wait(tmp_path: Path) -> None:
    """The other worker says it holds none but never accepts (busy): each connection waits MAX_WAIT_S, then
    this worker takes it."""
    listener, board = _listener(), ConnectionBoard.create(tmp_path / "board", 2)
    board.publish(1, 0)
    held: list[socket.socket] = []
    waited: list[float] = []

    async def main() -> None:
        loop = asyncio.get_running_loop()
        acceptor = BalancedAcceptor(listener, board, 0, held.append)
        acceptor.start(loop)
        clients = []
        for expected in (1, 2, 3):
            started = time.monotonic()
            clients += await _burst(listener, 1)
            while len(held) < expected and time.monotonic() - started < 5:
                await asyncio.sleep(0.0005)
            waited.append(time.monotonic() - started)
        acceptor.close()
        for client in clients:
            client.close()

    asyncio.run(main())
    assert len(held) == 3
    assert waited[0] < connection_balance.MAX_WAIT_S  # it held none: no reason to step aside
    assert all(connection_balance.MAX_WAIT_S <= w < 1.0 for w in waited[1:]), waited
    for conn in held:
        conn.close()
    listener.close()
