"""Readers tailing the notification log never skip an event: concurrent appends commit in the
order of their notification ids (the append lock), so no id appears below a reader's position
after the reader has passed it."""

from __future__ import annotations

import threading
import uuid

from eventsourcing.persistence import StoredEvent

from xuncha.api.database import make_recorder


def test_a_tailing_reader_sees_every_event_of_concurrent_writers(database_url: str) -> None:
    recorder = make_recorder(database_url, pool_size=10)
    stop = threading.Event()
    seen: set[int] = set()

    def writer() -> None:
        for i in range(60):
            stream = uuid.uuid4()
            recorder.insert_events(
                [StoredEvent(stream, v, "t", b"{}") for v in range(1, 2 + i % 3)]
            )

    def reader() -> None:
        position = 0
        while True:
            finished = stop.is_set()
            notes = recorder.select_notifications(position, 500, inclusive_of_start=False)
            for note in notes:
                seen.add(note.id)
                position = note.id
            if finished and not notes:
                return

    tail = threading.Thread(target=reader)
    tail.start()
    writers = [threading.Thread(target=writer) for _ in range(8)]
    for w in writers:
        w.start()
    for w in writers:
        w.join()
    stop.set()
    tail.join()
    every = {n.id for n in recorder.select_notifications(0, 10**6, inclusive_of_start=False)}
    recorder.datastore.close()
    assert len(every) == 8 * sum(1 + i % 3 for i in range(60))
    assert every - seen == set()
