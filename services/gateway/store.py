"""The gateway's own tables: the client registry, the append-only audit log and the Grafana alert
transitions already published. Queries here never commit; callers own the transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Index, Integer, String, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

from services.runtime.db import UTCDateTime, begin_read, utcnow


class Base(DeclarativeBase):
    """This service's tables. Each service has its own metadata: services never share tables."""


class Client(Base):
    """A department's system allowed to call the gateway.

    ``secret_hash`` is the secret's SHA-256 digest (``auth.hash_secret``; an argon2id hash for a
    secret made before); the secret itself is shown once by the CLI and never stored. ``bureau`` marks
    the human-resources bureau's own clients: they see small cells.
    """

    __tablename__ = "gateway_clients"

    client_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    department: Mapped[str] = mapped_column(String(100))
    secret_hash: Mapped[str] = mapped_column(String(200))
    scopes: Mapped[str] = mapped_column(String(500), doc="space-separated, as in OAuth2")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    bureau: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def scope_set(self) -> frozenset[str]:
        return frozenset(self.scopes.split())


class AuditEntry(Base):
    """One access to personal data. Append-only: database triggers refuse UPDATE and DELETE.

    Holds who, when, which route template, which person (by ``person_ref``, never by name or ID
    number) or household (``household_ref``), the method and the status the client got.
    """

    __tablename__ = "gateway_audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    client_id: Mapped[str] = mapped_column(String(64))
    method: Mapped[str] = mapped_column(String(10))
    route: Mapped[str] = mapped_column(String(300))
    person_ref: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # a household read or write (issue 18): which household, by its random household_ref
    household_ref: Mapped[str | None] = mapped_column(String(64), nullable=True)
    status: Mapped[int] = mapped_column(Integer)
    request_id: Mapped[str | None] = mapped_column(String(64), nullable=True)

    __table_args__ = (
        Index("ix_gateway_audit_person", "person_ref"),
        Index("ix_gateway_audit_client_at", "client_id", "at"),
    )


class AlertTransition(Base):
    """A Grafana alert transition (firing or resolved) already published, with the alert's state.

    The primary key (alert_id, status) is the de-duplication: Grafana re-sends a firing alert on
    every repeat interval and retries failed deliveries, and each transition must be published once.
    """

    __tablename__ = "gateway_alert_transitions"

    alert_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    status: Mapped[str] = mapped_column(String(10), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    state: Mapped[dict[str, Any]] = mapped_column(JSON)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


def read_session(sessions: sessionmaker[Session]) -> Session:
    """A session for reads outside a request's unit of work.

    It starts as a reader (deferred ``BEGIN`` on SQLite): the runtime's default ``BEGIN IMMEDIATE``
    would wait for the write lock, which a write request of this very process may hold while its
    dependencies (the client check) read here — a deadlock until the busy timeout.
    """
    session = sessions()
    begin_read(session)
    return session


def get_client(session: Session, client_id: str) -> Client | None:
    return session.get(Client, client_id)


def list_clients(session: Session) -> list[Client]:
    return list(session.scalars(select(Client).order_by(Client.department, Client.client_id)))


def transition_seen(session: Session, alert_id: str, status: str) -> bool:
    return session.get(AlertTransition, (alert_id, status)) is not None


def latest_alert_state(session: Session, alert_id: str) -> dict[str, Any] | None:
    """The state of a Grafana alert the gateway has seen (its firing transition's state)."""
    row = session.get(AlertTransition, (alert_id, "firing")) or session.get(AlertTransition, (alert_id, "resolved"))
    return None if row is None else dict(row.state)


def query_audit(
    session: Session, *, client_id: str | None, person_ref: str | None,
    since: datetime | None, until: datetime | None, limit: int, before_id: int | None,
    household_ref: str | None = None,
) -> list[AuditEntry]:
    """Newest first; ``before_id`` pages backwards."""
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if client_id:
        query = query.where(AuditEntry.client_id == client_id)
    if person_ref:
        query = query.where(AuditEntry.person_ref == person_ref)
    if household_ref:
        query = query.where(AuditEntry.household_ref == household_ref)
    if since:
        query = query.where(AuditEntry.at >= since)
    if until:
        query = query.where(AuditEntry.at < until)
    if before_id:
        query = query.where(AuditEntry.id < before_id)
    return list(session.scalars(query))
