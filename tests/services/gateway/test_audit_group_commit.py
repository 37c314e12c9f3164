"""Audited personal-data reads under concurrency: many requests share one durable audit write (group
commit), each is answered only once its own row is committed, and none is served when the write fails."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time

import httpx
from sqlalchemy import event, text

from .conftest import Gateway

READS = 40


def refs(count: int) -> list[str]:
    return [f"{i:064x}" for i in range(1, count + 1)]


async def read_all(url: str, headers: dict[str, str], person_refs: list[str]) -> list[httpx.Response]:
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=60,
                                 limits=httpx.Limits(max_connections=len(person_refs))) as client:
        return await asyncio.gather(*(client.get(f"/v1/persons/{ref}") for ref in person_refs))


def test_concurrent_reads_share_a_commit_and_each_has_its_row(gateway: Gateway, tmp_path) -> None:
    headers = gateway.client_with("civil-affairs", "persons:read")
    admin = gateway.client_with("bureau-admin", "admin", bureau=True)
    engine, writer = gateway.app.state.engine, gateway.app.state.components.audit
    inserts: list[int] = []

    @event.listens_for(engine, "before_cursor_execute")
    def count(conn, cursor, statement, parameters, context, executemany) -> None:
        if statement.startswith("INSERT INTO gateway_audit"):
            inserts.append(len(parameters) if executemany else 1)

    # Another connection holds SQLite's write lock: the writer's first batch (whatever had arrived)
    # cannot commit, and every other request queues meanwhile, so they must all go in its next write.
    blocker = sqlite3.connect(str(tmp_path / "gateway.sqlite3"), isolation_level=None, timeout=30)
    blocker.execute("BEGIN IMMEDIATE")
    answers: list[httpx.Response] = []
    readers = threading.Thread(target=lambda: answers.extend(asyncio.run(read_all(gateway.url, headers, refs(READS)))))
    readers.start()
    try:
        deadline = time.monotonic() + 60
        while writer.taken == 0 or writer.taken + writer.waiting() < READS:  # a wait, not a timed assertion
            assert readers.is_alive() and time.monotonic() < deadline, "the reads did not queue for the audit"
            time.sleep(0.05)
        assert answers == []  # nobody is answered before the audit rows are committed
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    readers.join(60)
    event.remove(engine, "before_cursor_execute", count)
    assert [response.status_code for response in answers] == [200] * READS
    assert len(inserts) == 2 and sum(inserts) == READS  # the first batch, then every waiting one in one write
    entries = gateway.audit(admin, limit=1000)
    assert sorted(e["person_ref"] for e in entries if e["route"] == "/persons/{person_ref}") == refs(READS)


def test_no_concurrent_read_is_served_when_the_audit_write_fails(gateway: Gateway, backend) -> None:
    headers = gateway.client_with("civil-affairs", "persons:read")
    with gateway.app.state.engine.begin() as connection:
        connection.execute(text("ALTER TABLE gateway_audit RENAME TO gateway_audit_elsewhere"))
    before = len(backend.requests)
    answers = asyncio.run(read_all(gateway.url, headers, refs(READS)))
    assert len(backend.requests) - before == READS  # the backend answered every one ...
    for response in answers:  # ... and no answer reached the client
        assert response.status_code == 503
        assert response.json()["code"] == "audit_unavailable" and response.headers["retry-after"]
        assert "street_code" not in response.text
    # Once the table is back, the writer (which dropped its failed connection) commits again.
    with gateway.app.state.engine.begin() as connection:
        connection.execute(text("ALTER TABLE gateway_audit_elsewhere RENAME TO gateway_audit"))
    admin = gateway.client_with("bureau-admin", "admin", bureau=True)
    [again] = asyncio.run(read_all(gateway.url, headers, refs(1)))
    assert again.status_code == 200
    assert [e["person_ref"] for e in gateway.audit(admin) if e["route"] == "/persons/{person_ref}"] == refs(1)
