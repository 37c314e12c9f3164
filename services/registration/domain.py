"""Pure rules of the registration service: statuses and their allowed transitions, key groups,
ages from ID numbers, month arithmetic for the work lists, and the 零就业家庭 derivation. No I/O here.

Status model (one status per person, the registration the person is currently in)::

    (new) ──求职登记──> jobseeker ──失业登记──> unemployed ──就业登记──> employed
                          │  └────────就业登记─────────────────────────^   │
                          │                         ^────失业登记──────────┘
    jobseeker / unemployed / employed ──注销──> closed ──求职登记（重新登记）──> jobseeker

Follow-ups (跟踪回访) are recorded for registered unemployed people only and hardship certification
(就业困难人员认定) for anyone not closed; neither changes the status. Everything else is forbidden
and answered with 409. Registering a person who already has an open registration is forbidden too
(409): the existing record must be closed first, so one person never has two open registrations.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from schemas.fields import WORKING_AGE_MIN, max_working_age
from schemas.vocab import (
    ClosureReason,
    Gender,
    HardshipCategory,
    KeyGroup,
    RegistrationKind,
    Vocabulary,
    ZeroEmploymentClearReason,
)


class Status(Vocabulary):
    """就失业状态 of a person as kept by this service."""

    JOBSEEKER = "jobseeker", "求职登记"
    UNEMPLOYED = "unemployed", "登记失业"
    EMPLOYED = "employed", "已就业"
    CLOSED = "closed", "已注销"


class Action(Vocabulary):
    """What a request asks to do to a person."""

    REGISTER = "register", "求职登记"
    UNEMPLOYMENT = "unemployment", "失业登记"
    EMPLOYMENT = "employment", "就业登记"
    FOLLOWUP = "followup", "跟踪回访"
    HARDSHIP = "hardship", "就业困难人员认定"
    CLOSE = "close", "注销登记"


# (current status, action) -> status afterwards. ``None`` stands for "no such person yet".
TRANSITIONS: dict[tuple[Status | None, Action], Status] = {
    (None, Action.REGISTER): Status.JOBSEEKER,
    (Status.CLOSED, Action.REGISTER): Status.JOBSEEKER,
    (Status.JOBSEEKER, Action.UNEMPLOYMENT): Status.UNEMPLOYED,
    (Status.EMPLOYED, Action.UNEMPLOYMENT): Status.UNEMPLOYED,
    (Status.JOBSEEKER, Action.EMPLOYMENT): Status.EMPLOYED,
    (Status.UNEMPLOYED, Action.EMPLOYMENT): Status.EMPLOYED,
    (Status.UNEMPLOYED, Action.FOLLOWUP): Status.UNEMPLOYED,
    (Status.JOBSEEKER, Action.HARDSHIP): Status.JOBSEEKER,
    (Status.UNEMPLOYED, Action.HARDSHIP): Status.UNEMPLOYED,
    (Status.EMPLOYED, Action.HARDSHIP): Status.EMPLOYED,
    (Status.JOBSEEKER, Action.CLOSE): Status.CLOSED,
    (Status.UNEMPLOYED, Action.CLOSE): Status.CLOSED,
    (Status.EMPLOYED, Action.CLOSE): Status.CLOSED,
}


class TransitionForbidden(Exception):  # noqa: N818 - a domain outcome, mapped to 409 by the API
    """``action`` is not allowed in status ``current``; ``detail`` is the Chinese message for users."""

    def __init__(self, current: Status | None, action: Action) -> None:
        state = f"“{current.label}”" if current is not None else "未登记"
        self.detail = f"当前状态为{state}，不能办理{action.label}"
        super().__init__(self.detail)
        self.current, self.action = current, action


def next_status(current: Status | None, action: Action) -> Status:
    """The status after ``action``, or :class:`TransitionForbidden`."""
    try:
        return TRANSITIONS[(current, action)]
    except KeyError:
        raise TransitionForbidden(current, action) from None


def closed_registrations(current: Status) -> list[RegistrationKind]:
    """Registrations a closure ends: an unemployed person's unemployment registration first, then
    the job-seeker registration everyone in an open status has."""
    if current is Status.UNEMPLOYED:
        return [RegistrationKind.UNEMPLOYMENT, RegistrationKind.JOBSEEKER]
    return [RegistrationKind.JOBSEEKER]


# --- key groups -----------------------------------------------------------------------------------

# Groups this service maintains itself; clients may not set them at registration.
MANAGED_GROUPS = frozenset({KeyGroup.REGISTERED_UNEMPLOYED, KeyGroup.HARDSHIP})

HARDSHIP_GROUPS: dict[HardshipCategory, KeyGroup | None] = {
    HardshipCategory.AGE_4050: KeyGroup.AGE_4050,
    HardshipCategory.ZERO_EMPLOYMENT_FAMILY: KeyGroup.ZERO_EMPLOYMENT_FAMILY,
    HardshipCategory.DISABLED: KeyGroup.DISABLED,
    HardshipCategory.OTHER: None,
}


def groups_after(action: Action, groups: set[KeyGroup], categories: Iterable[HardshipCategory] = ()) -> set[KeyGroup]:
    """Key groups after ``action``: unemployment adds 登记失业人员; employment and closure remove it
    and 离校未就业 (the graduate has left that group); hardship adds 就业困难人员 and its grounds."""
    out = set(groups)
    if action is Action.UNEMPLOYMENT:
        out.add(KeyGroup.REGISTERED_UNEMPLOYED)
    elif action in (Action.EMPLOYMENT, Action.CLOSE):
        out -= {KeyGroup.REGISTERED_UNEMPLOYED, KeyGroup.GRADUATE_UNEMPLOYED}
    elif action is Action.HARDSHIP:
        out.add(KeyGroup.HARDSHIP)
        out |= {g for c in categories if (g := HARDSHIP_GROUPS[c]) is not None}
    return out


def qualifies_4050(gender: Gender, age: int) -> bool:
    """“4050”人员: women aged 40 or more, men (and unstated gender) aged 50 or more."""
    return age >= (40 if gender is Gender.FEMALE else 50)


def graduate_case_close_reason(action: Action, closure: ClosureReason | None = None) -> str:
    """Why a 离校未就业 ledger case is closed (销号): employment, or the registration's closure reason."""
    if action is Action.EMPLOYMENT:
        return ClosureReason.EMPLOYED.value
    return (closure or ClosureReason.OTHER).value


# --- ID numbers -----------------------------------------------------------------------------------


def birth_date(id_number: str) -> date:
    """Birth date in a valid, normalised GB 11643 number (digits 7–14)."""
    return date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))


def gender_from_id(id_number: str) -> Gender:
    """GB 11643 digit 17 (the sequence code's last digit): odd for men, even for women."""
    return Gender.MALE if int(id_number[16]) % 2 else Gender.FEMALE


def age_on(born: date, day: date) -> int:
    """Age in whole years on ``day``."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


# --- months ---------------------------------------------------------------------------------------


def months_before(day: date, months: int) -> date:
    """The same day ``months`` calendar months earlier, clamped to the month's last day
    (31 March minus one month is 28/29 February)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


FOLLOWUP_INTERVAL_MONTHS = 1  # 每月至少1次跟踪调查
LONG_TERM_MONTHS = 6  # 长期失业: unemployed 6 months or more


# --- households: 零就业家庭 (DOMAIN.md §2, "Households") -------------------------------------------

SEEKING_STATUSES = frozenset({Status.JOBSEEKER, Status.UNEMPLOYED})


@dataclass(frozen=True, slots=True)
class MemberFacts:
    """What the derivation needs of one member: status, and age and gender on the day derived."""

    person_ref: str
    status: Status
    age: int
    gender: Gender


def seeking_work(member: MemberFacts) -> bool:
    """Of working age (16 to the retirement age the registration uses) and able and willing to work:
    an open 求职 or 失业 registration is how a person says so to the bureau."""
    return member.status in SEEKING_STATUSES and WORKING_AGE_MIN <= member.age <= max_working_age(member.gender)


def is_zero_employment(members: Sequence[MemberFacts]) -> bool:
    """零就业家庭: at least one member of working age able and willing to work, and none employed."""
    return any(seeking_work(m) for m in members) and not any(m.status is Status.EMPLOYED for m in members)


@dataclass(frozen=True, slots=True)
class ZeroEmploymentChange:
    """A flip of the derived state: ``identified`` true when the household became 零就业, false when it
    was cleared, with why and (cleared by employment) the member whose employment cleared it."""

    identified: bool
    seeking: tuple[str, ...] = ()
    reason: ZeroEmploymentClearReason | None = None
    employed_person_ref: str | None = None


def zero_employment_change(was: bool, members: Sequence[MemberFacts], *, employed_person_ref: str | None = None,
                           membership_changed: bool = False) -> ZeroEmploymentChange | None:
    """The change, if any, from ``was`` to what ``members`` derive. ``employed_person_ref`` names the
    member whose employment registration triggered this derivation; ``membership_changed`` says the
    trigger was a member joining or leaving."""
    now = is_zero_employment(members)
    if now == was:
        return None
    if now:
        return ZeroEmploymentChange(True, seeking=tuple(sorted(m.person_ref for m in members if seeking_work(m))))
    employed = {m.person_ref for m in members if m.status is Status.EMPLOYED}
    if employed_person_ref is not None and employed_person_ref in employed:
        return ZeroEmploymentChange(False, reason=ZeroEmploymentClearReason.EMPLOYMENT,
                                    employed_person_ref=employed_person_ref)
    if membership_changed:
        return ZeroEmploymentChange(False, reason=ZeroEmploymentClearReason.MEMBERSHIP)
    return ZeroEmploymentChange(False, reason=ZeroEmploymentClearReason.NO_MEMBER_SEEKING)
