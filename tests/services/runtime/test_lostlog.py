"""The lost-log guard against a real broker that restarts empty (the stream worker around it:
test_streaming.py)."""

from __future__ import annotations

import asyncio
import time
from types import SimpleNamespace

from kafka import TopicPartition

from services.runtime.broker import ensure_topics
from services.runtime.lostlog import LOST_LOG_EXIT_CODE, LostLogGuard

TOPIC = "leye.statistics"


def test_no_commit_reaches_a_restarted_broker_before_or_after_the_topics_are_back(fresh_broker) -> None:
    """Tansu stores a commit for a topic it does not have; once the topic is re-created, a successor would
    start at that stale offset and skip the replay. So a commit is refused while the topic is missing,
    and the topic's return under a new id stops the worker."""
    ensure_topics(fresh_broker.bootstrap)
    exits: list[int] = []
    consumer = SimpleNamespace(assignment=lambda: {TopicPartition(TOPIC, 0)})  # all the guard asks of faust's
    guard = LostLogGuard(SimpleNamespace(consumer=consumer), fresh_broker.bootstrap,  # type: ignore[arg-type]
                         exit_process=exits.append)
    asyncio.run(guard.check())  # learns the topic's id
    assert guard.topic_ids[TOPIC]
    assert asyncio.run(guard.allows_commit({TOPIC}))
    assert asyncio.run(guard.allows_commit(set()))  # nothing to commit: nothing to ask

    fresh_broker.process.kill()
    fresh_broker.process.wait()
    fresh_broker.start()
    for _ in range(3):  # the first may fail on the old connection; none may allow the commit
        assert not asyncio.run(guard.allows_commit({TOPIC}))
    asyncio.run(guard.check())
    assert exits == []  # a missing topic is not yet a lost log: the broker may be a moment from re-creating it

    ensure_topics(fresh_broker.bootstrap)
    deadline = time.monotonic() + 20
    while not exits:
        assert not asyncio.run(guard.allows_commit({TOPIC}))
        assert time.monotonic() < deadline, "the re-created topic was not noticed"
    assert exits == [LOST_LOG_EXIT_CODE]
