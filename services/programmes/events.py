"""Event construction: stored rows -> ``schemas.events.programme`` models -> outbox, on
``leye.programme``.

Every function stages its event in the caller's session (``add_event``), so the event commits with
the row it describes or not at all. Only references leave the service: ``person_ref`` and
``employer_ref``, never a name, an ID number or a phone number (the service holds none).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from schemas import new_event
from schemas.events.base import EventData
from schemas.events.programme import Completed, CourseOpened, Enrolled, Granted, LoanIssued, Paid
from services.runtime.outbox import add_event

from .store import Course, Enrolment, Grant, Loan, Payment

SOURCE = "/services/programmes"


def publish(session: Session, data: EventData) -> str:
    """Stage one event in the unit of work; return its id."""
    event = new_event(data, source=SOURCE)
    add_event(session, event)
    return event.id


def course_opened(row: Course) -> CourseOpened:
    return CourseOpened(course_id=row.id, programme_code=row.programme_code, street_code=row.street_code,
                        occupation=row.occupation, level=row.level, starts_on=row.starts_on, ends_on=row.ends_on,
                        capacity=row.capacity)


def enrolled(row: Enrolment) -> Enrolled:
    return Enrolled(enrolment_id=row.id, course_id=row.course_id, programme_code=row.programme_code,
                    person_ref=row.person_ref, street_code=row.street_code, enrolled_on=row.enrolled_on)


def completed(row: Enrolment) -> Completed:
    assert row.completed_on is not None and row.certificate is not None
    return Completed(enrolment_id=row.id, course_id=row.course_id, programme_code=row.programme_code,
                     person_ref=row.person_ref, street_code=row.street_code, completed_on=row.completed_on,
                     certificate=row.certificate)


def loan_issued(row: Loan) -> LoanIssued:
    return LoanIssued(loan_id=row.id, programme_code=row.programme_code, person_ref=row.person_ref,
                      employer_ref=row.employer_ref, street_code=row.street_code, amount_yuan=row.amount_yuan,
                      term_months=row.term_months, interest_subsidy_yuan=row.interest_subsidy_yuan,
                      issued_on=row.issued_on, rule_version=row.rule_version)


def granted(row: Grant) -> Granted:
    return Granted(grant_id=row.id, programme_code=row.programme_code, person_ref=row.person_ref,
                   employer_ref=row.employer_ref, street_code=row.street_code, kind=row.kind,
                   amount_yuan=row.amount_yuan, granted_on=row.granted_on, rule_version=row.rule_version,
                   enrolment_id=row.enrolment_id, eligible_on=row.eligible_on)


def paid(row: Payment, eligible_on: date | None) -> Paid:
    return Paid(payment_id=row.id, grant_id=row.grant_id, programme_code=row.programme_code,
                person_ref=row.person_ref, employer_ref=row.employer_ref, street_code=row.street_code,
                amount_yuan=row.amount_yuan, paid_on=row.paid_on, rule_version=row.rule_version,
                eligible_on=eligible_on)
