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
    assert sum(map(len, held)) == 10 and min(map(len, held)) >= 4  # 5 and 5 unless a thread is kept waiting
    assert board.count(0) == board.count(1) == ABSENT  # closed: neither attracts connections now
    assert all(conn.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) for conn in [*held[0], *held[1]])
    for conn in [*held[0], *held[1], *clients]:
        conn.close()
    listener.close()


class _Loop:
    """Just what the acceptor uses of an event loop, with a clock the test sets."""

    def __init__(self) -> None:
        self.now, self.reading, self.timers = 0.0, False, []

    def time(self) -> float:
        return self.now

    def add_reader(self, fd: int, callback: object) -> None:
        self.reading = True

    def remove_reader(self, fd: int) -> None:
        self.reading = False

    def call_later(self, delay: float, callback: object) -> "_Loop":
        self.timers.append(delay)
        return self  # the handle: the test calls _resume itself

    def cancel(self) -> None:
        pass


def _beside_a_busy_worker(tmp_path: Path) -> tuple[socket.socket, ConnectionBoard, list[socket.socket], _Loop,
                                                   BalancedAcceptor]:
    """An acceptor in slot 0 on a fake loop; slot 1 says it holds no connection and never takes one."""
    listener, board = _listener(), ConnectionBoard.create(tmp_path / "board", 2)
    board.publish(1, 0)
    held: list[socket.socket] = []
    loop = _Loop()
    acceptor = BalancedAcceptor(listener, board, 0, held.append)
    acceptor.start(loop)  # type: ignore[arg-type]
    return listener, board, held, loop, acceptor


def test_a_worker_with_more_connections_waits_at_most_max_wait(tmp_path: Path) -> None:
    """The other worker holds none but does not accept (busy): this one steps aside for a waiting connection
    until MAX_WAIT_S has passed since it first did, then takes it."""
    listener, board, held, loop, acceptor = _beside_a_busy_worker(tmp_path)
    clients = [socket.create_connection(listener.getsockname()) for _ in range(2)]
    acceptor._readable()
    assert len(held) == 1 and board.count(0) == 1  # it held none: it took the first at once
    for now in (0.0, 0.004, 0.0099):
        loop.now = now
        acceptor._readable()
        assert len(held) == 1 and not loop.reading  # stepped aside: the other worker may take it
        assert loop.timers[-1] == connection_balance.STEP_ASIDE_S
        acceptor._resume()
        assert loop.reading
    loop.now = connection_balance.MAX_WAIT_S
    acceptor._readable()
    assert len(held) == 2 and board.count(0) == 2  # waited long enough: it took it
    acceptor.connection_ended()
    assert board.count(0) == 1
    acceptor.close()
    assert board.count(0) == ABSENT
    for conn in [*held, *clients]:
        conn.close()
    listener.close()


def test_a_worker_steps_aside_afresh_for_each_waiting_connection(tmp_path: Path) -> None:
    """Once what waited is gone (another worker took it), the next connection gets its own full wait."""
    listener, board, held, loop, acceptor = _beside_a_busy_worker(tmp_path)
    first = socket.create_connection(listener.getsockname())
    acceptor._readable()
    second = socket.create_connection(listener.getsockname())
    acceptor._readable()  # steps aside at 0 ...
    taken, _ = listener.accept()  # ... and the other worker takes it
    loop.now = 0.008
    acceptor._resume()  # nothing waits now
    third = socket.create_connection(listener.getsockname())
    loop.now = 0.012  # past MAX_WAIT_S since the first step aside, not since this connection came
    acceptor._readable()
    assert len(held) == 1  # it stepped aside for this one too
    for conn in [*held, first, second, third, taken]:
        conn.close()
    acceptor.close()
    listener.close()
