"""Dependency aliases of the vacancies API: the unit of work's database session."""

from __future__ import annotations

from services.runtime.http import SessionDep

__all__ = ["SessionDep"]
