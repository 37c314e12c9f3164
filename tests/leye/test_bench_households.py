"""``leye bench households``: its core on a tiny size gives every figure, as numbers, with its target."""

from __future__ import annotations

import json

from leye.bench.households import TARGET_P95_MS, TARGET_RATES_MS, measure


def test_the_core_on_a_tiny_size_gives_every_figure_as_a_number() -> None:
    figures = json.loads(json.dumps(measure(households=300, persons=700, changes=10, events=3000, repeats=3)))
    assert set(figures) == {
        "households", "persons", "status_changes", "p50_ms_status_to_household_event",
        "p95_ms_status_to_household_event", "target_p95_ms_status_to_household_event", "baseline_p50_ms",
        "baseline_p95_ms", "household_events_missing", "events", "communities", "community_rates_p50_ms",
        "community_rates_p95_ms", "target_community_rates_p95_ms", "ingest_events_per_s",
    }
    assert all(isinstance(value, int | float) and not isinstance(value, bool) for value in figures.values())
    sizes = (figures["households"], figures["persons"], figures["status_changes"], figures["events"])
    assert sizes == (300, 700, 10, 3000)
    # every member's change flipped its family and wrote the event in the same commit
    assert figures["household_events_missing"] == 0
    # the 6,000-person template is cut at 3,000 events: its first people, one per community for the first 300
    assert figures["communities"] == 300
    assert (figures["target_p95_ms_status_to_household_event"], figures["target_community_rates_p95_ms"]) == (
        TARGET_P95_MS, TARGET_RATES_MS)
