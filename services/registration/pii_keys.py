"""Which key versions the stored personal data is under, and re-encrypting it under the newest key.

``rotate`` is what ``leye registration pii rotate`` runs. It is safe while the service runs:

- It reads a batch of rows not yet under the newest key (keyset order on ``person_ref``, a read
  transaction that takes no write lock), re-encrypts them outside any transaction, then writes them
  in one short transaction, row by row, each update conditional on the ciphertexts it read. A row the
  service changed in between (a re-registration writes new ciphertexts) is left alone and counted as
  skipped: it is either under the newest key already or taken by the next run.
- The optimistic ``version`` of a person is not bumped: re-encryption changes no value, so a request
  that loaded the person meanwhile may still save its own columns without a needless 409.
- Each batch's transaction also adds its count to the run's audit record, so ``rows_done`` is exact
  even when the run is interrupted. Interrupting loses nothing: a re-run selects the rows still under
  an older version and continues.
"""

from __future__ import annotations

import getpass
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Engine, func, insert, select, update
from sqlalchemy.orm import Session

from services.runtime.db import SQLITE_IMMEDIATE, utcnow

from .crypto import KEYS_VARIABLE, LEGACY_VERSION, PiiCipher
from .store import Person, PiiKeyRotation


class MissingPiiKeysError(RuntimeError):
    """Stored rows are under key versions that are not configured: they could not be decrypted."""


def version_counts(engine: Engine) -> dict[int, int]:
    """``{key version: person rows under it}``."""
    with engine.connect().execution_options(**{SQLITE_IMMEDIATE: False}) as conn:
        rows = conn.execute(select(Person.pii_key_version, func.count()).group_by(Person.pii_key_version))
        return {int(version): int(count) for version, count in rows}


def check_keys_cover_the_data(engine: Engine, cipher: PiiCipher) -> dict[int, int]:
    """The version counts, or :class:`MissingPiiKeysError` (Chinese, for the operator) when some rows are under
    a version without a configured key."""
    counts = version_counts(engine)
    missing = sorted(set(counts) - cipher.versions)
    if missing:
        described = "、".join(
            f"第 {v} 版 {counts[v]} 条（" + ("旧版单一密钥 REGISTRATION_PII_KEY" if v == LEGACY_VERSION
                                          else KEYS_VARIABLE) + "）" for v in missing)
        raise MissingPiiKeysError(f"人员记录的个人信息使用了未配置的密钥版本：{described}。"
                             "请配置这些版本的密钥，否则这些个人信息将无法读取")
    return counts


def operator_name() -> str:
    """The operating-system account running the command (containers may have no passwd entry)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return f"uid {os.getuid()}"


@dataclass(frozen=True, slots=True)
class Rotation:
    run_id: int
    from_versions: tuple[int, ...]
    to_version: int
    pending: int
    rows_done: int = 0
    rows_skipped: int = 0
    status: str = "running"


def rotate(
    engine: Engine, cipher: PiiCipher, *, operator: str, host: str | None = None, batch_size: int = 200,
    on_start: Callable[[Rotation], None] | None = None, on_batch: Callable[[Rotation], None] | None = None,
) -> Rotation:
    """Re-encrypt every person row not under ``cipher.newest_version``; one audit record per run.

    Raises :class:`MissingPiiKeysError` before doing anything when some rows cannot be decrypted. A
    ``KeyboardInterrupt`` (or any error) ends the run with its audit record saying so, then propagates.
    """
    counts = check_keys_cover_the_data(engine, cipher)
    newest = cipher.newest_version
    from_versions = tuple(sorted(v for v in counts if v != newest))
    with engine.begin() as conn:
        key = conn.execute(insert(PiiKeyRotation).values(
            started_at=utcnow(), operator=operator[:64], host=(host or socket.gethostname())[:255],
            from_versions=",".join(map(str, from_versions)), to_version=newest, rows_done=0, rows_skipped=0,
            status="running",
        )).inserted_primary_key
        assert key is not None  # a one-row INSERT always reports its key
        run_id = key[0]
    run = Rotation(run_id, from_versions, newest, pending=sum(counts[v] for v in from_versions))
    if on_start is not None:
        on_start(run)
    status = "failed"
    try:
        after = ""
        while True:
            batch = _next_batch(engine, newest, after, batch_size)
            if not batch:
                break
            done = _rewrite(engine, cipher, run_id, batch)
            run = Rotation(run_id, from_versions, newest, run.pending, run.rows_done + done,
                           run.rows_skipped + len(batch) - done)
            after = batch[-1][0]
            if on_batch is not None:
                on_batch(run)
        status = "finished"
    except KeyboardInterrupt:
        status = "interrupted"
        raise
    finally:
        with engine.begin() as conn:
            conn.execute(update(PiiKeyRotation).where(PiiKeyRotation.id == run_id)
                         .values(status=status, finished_at=utcnow()))
    return Rotation(run_id, from_versions, newest, run.pending, run.rows_done, run.rows_skipped, status)


_Row = tuple[str, bytes, bytes, bytes, int]


def _next_batch(engine: Engine, newest: int, after: str, size: int) -> list[_Row]:
    query = (select(Person.person_ref, Person.name_enc, Person.id_number_enc, Person.phone_enc, Person.pii_key_version)
             .where(Person.pii_key_version != newest, Person.person_ref > after)
             .order_by(Person.person_ref).limit(size))
    with engine.connect().execution_options(**{SQLITE_IMMEDIATE: False}) as conn:
        return [(ref, name, id_number, phone, version) for ref, name, id_number, phone, version in conn.execute(query)]


def _rewrite(engine: Engine, cipher: PiiCipher, run_id: int, batch: list[_Row]) -> int:
    """Write one batch's new ciphertexts (computed before the write transaction opens); the rows written."""
    rotated = [(row, cipher.rotate(row[1]), cipher.rotate(row[2]), cipher.rotate(row[3])) for row in batch]
    written = 0
    with engine.begin() as conn:
        for (ref, name, id_number, phone, version), new_name, new_id_number, new_phone in rotated:
            result = conn.execute(
                update(Person)
                .where(Person.person_ref == ref, Person.pii_key_version == version, Person.name_enc == name,
                       Person.id_number_enc == id_number, Person.phone_enc == phone)
                # updated_at keeps its value: re-encryption changes nothing a reader could see.
                .values(name_enc=new_name, id_number_enc=new_id_number, phone_enc=new_phone,
                        pii_key_version=cipher.newest_version, updated_at=Person.updated_at)
            )
            written += result.rowcount
        conn.execute(update(PiiKeyRotation).where(PiiKeyRotation.id == run_id).values(
            rows_done=PiiKeyRotation.rows_done + written,
            rows_skipped=PiiKeyRotation.rows_skipped + len(batch) - written,
        ))
    return written


def recent_runs(engine: Engine, limit: int = 10) -> list[PiiKeyRotation]:
    """The audit records of the last ``limit`` runs, newest first."""
    with Session(engine) as session:
        return list(session.scalars(select(PiiKeyRotation).order_by(PiiKeyRotation.id.desc()).limit(limit)))
