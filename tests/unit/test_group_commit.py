"""GroupCommit without a database: who writes, what a batch holds, how outcomes travel."""

from __future__ import annotations

import threading
from uuid import uuid4

import pytest
from eventsourcing.persistence import StoredEvent

from xuncha.commands.eventstore.group_commit import GroupCommit, PendingAppend


def pending(size: int = 10) -> PendingAppend:
    return PendingAppend([StoredEvent(uuid4(), 1, "t", b"x" * size)], None, {}, size=size)


def test_a_lone_append_is_written_at_once_by_its_caller() -> None:
    writers: list[tuple[str, int]] = []

    def write(batch: list[PendingAppend]) -> None:
        writers.append((threading.current_thread().name, len(batch)))
        batch[0].succeed([7])

    assert GroupCommit(write, max_bytes=100).submit(pending()) == [7]
    assert writers == [(threading.current_thread().name, 1)]


def test_appends_queued_while_a_batch_is_written_go_together_in_order() -> None:
    first_writing, release = threading.Event(), threading.Event()
    batches: list[list[PendingAppend]] = []

    def write(batch: list[PendingAppend]) -> None:
        batches.append(batch)
        if len(batches) == 1:
            first_writing.set()
            release.wait(5)
        for n, p in enumerate(batch):
            p.succeed([len(batches) * 100 + n])

    group = GroupCommit(write, max_bytes=35)
    appends = [pending() for _ in range(5)]
    got: dict[int, list[int]] = {}

    def submit(k: int) -> None:
        got[k] = group.submit(appends[k])

    threads = [threading.Thread(target=submit, args=(0,))]
    threads[0].start()
    assert first_writing.wait(5)
    for k in range(1, 5):
        threads.append(threading.Thread(target=submit, args=(k,)))
        threads[-1].start()
        while len(group._queue) < k:
            threading.Event().wait(0.001)
    release.set()
    for t in threads:
        t.join(5)
    # 35 bytes hold three appends of 10: the four queued ones take two more batches.
    assert [[appends.index(p) for p in b] for b in batches] == [[0], [1, 2, 3], [4]]
    assert got == {0: [100], 1: [200], 2: [201], 3: [202], 4: [300]}


def test_an_append_larger_than_the_cap_is_written_alone() -> None:
    sizes: list[int] = []

    def write(batch: list[PendingAppend]) -> None:
        sizes.append(sum(p.size for p in batch))
        for p in batch:
            p.succeed([1])

    GroupCommit(write, max_bytes=5).submit(pending(50))
    assert sizes == [50]


def test_a_failed_batch_fails_each_of_its_appends_with_its_own_error() -> None:
    class Broken(Exception):
        pass

    def write(batch: list[PendingAppend]) -> None:
        batch[0].fail(KeyError("own"))  # settled before the failure: keeps its own error
        raise Broken("connection lost")

    group = GroupCommit(write, max_bytes=100)
    with pytest.raises(KeyError):
        group.submit(pending())
    group2 = GroupCommit(lambda batch: (_ for _ in ()).throw(Broken("lost")), max_bytes=100)
    with pytest.raises(Broken) as raised:
        group2.submit(pending())
    assert str(raised.value) == "lost"
    # The writer is free again: the next append is written.
    group2._write = lambda batch: batch[0].succeed([3])
    assert group2.submit(pending()) == [3]


def test_a_writer_that_settles_nothing_fails_the_append() -> None:
    with pytest.raises(RuntimeError, match="without an outcome"):
        GroupCommit(lambda batch: None, max_bytes=100).submit(pending())
