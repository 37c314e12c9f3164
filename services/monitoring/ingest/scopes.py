"""Which warning scopes a batch of events touches (pure; runs in the decoding child with the rows)."""

from __future__ import annotations

from collections.abc import Iterable

from schemas import CloudEvent
from schemas.events import enterprise, layoff, referral, registration, statistics, vacancy
from schemas.reference import DISTRICT_CODE
from schemas.vocab import RegistrationKind, ScopeKind

from ..warnings.thresholds import Scope

_STATUS_EVENTS = (registration.JobseekerRegistered, registration.UnemploymentRegistered,
                  registration.EmploymentRegistered, registration.RegistrationClosed)
_VACANCY_EVENTS = (vacancy.VacancyPosted, vacancy.VacancyUpdated, vacancy.VacancyFilled, vacancy.VacancyClosed,
                   vacancy.VacancyFlagged)


def touched_scopes(events: Iterable[CloudEvent]) -> set[Scope]:
    """The scopes whose warnings a batch of events may change and that the events name (pure)."""
    scopes: set[Scope] = set()
    district_ratio = ("vacancy_ratio", ScopeKind.DISTRICT, DISTRICT_CODE)
    for event in events:
        data = event.data
        if isinstance(data, layoff.LayoffReported) and data.is_mass_layoff:
            scopes.add(("mass_layoff", ScopeKind.STREET, data.street_code))
            scopes.add(("mass_layoff", ScopeKind.INDUSTRY, str(data.industry.section)))
        elif isinstance(data, layoff.HeadcountReported):
            scopes.add(("job_loss_rate", ScopeKind.STREET, data.street_code))
            scopes.add(("job_loss_rate", ScopeKind.INDUSTRY, str(data.industry.section)))
        elif isinstance(data, _STATUS_EVENTS):  # active job seekers and the registered-unemployed stock
            scopes |= {("vacancy_ratio", ScopeKind.STREET, data.street_code), district_ratio}
            if isinstance(data, registration.UnemploymentRegistered | registration.EmploymentRegistered) or (
                    isinstance(data, registration.RegistrationClosed)
                    and data.registration == RegistrationKind.UNEMPLOYMENT):
                scopes.add(("long_term_unemployment", ScopeKind.STREET, data.street_code))
            if isinstance(data, registration.UnemploymentRegistered):
                scopes.add(("registration_surge", ScopeKind.STREET, data.street_code))
        elif isinstance(data, _VACANCY_EVENTS):  # open posts; a closure names no 街镇
            scopes.add(district_ratio)
            if street := getattr(data, "street_code", None):
                scopes.add(("vacancy_ratio", ScopeKind.STREET, street))
        elif isinstance(data, referral.CaseDispatched | referral.CaseSlaBreached):
            scopes.add(("sla_breach", ScopeKind.STREET, data.street_code))
        elif isinstance(data, enterprise.IssueOpened):  # IssueClosed too: a subclass
            scopes.add(("enterprise_issue_overdue", ScopeKind.STREET, data.street_code))
        elif isinstance(data, statistics.SurveyRateReported):
            scopes.add(("survey_rate", ScopeKind.DISTRICT, DISTRICT_CODE))
    return scopes
