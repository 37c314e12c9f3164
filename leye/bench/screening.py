"""就业歧视筛查：标注语料上的精确率、召回率与单条岗位耗时。

Runs ``services.vacancies.screening.screen_posting`` over the labelled corpus
(``leye/bench/data/screening_corpus.yaml``) and reports entry-level figures: a posting counts as
flagged when the screener returns at least one finding, and as discriminatory when the corpus says
so. Categories are not scored here (the tests hold the category-level floor).

``run(quick)`` returns ``{"n", "precision", "recall", "per_posting_us"}``: ``n`` postings,
precision = flagged-and-discriminatory / flagged, recall = flagged-and-discriminatory /
discriminatory (0.0 when the denominator is empty), and the mean wall time of one
``screen_posting`` call in microseconds over several timed passes after one warm-up pass. ``quick``
only shortens the timing (fewer passes); the quality figures are the same. Single-threaded, no I/O
beyond reading the corpus once.
"""

from __future__ import annotations

import time

from leye.bench.data.screening_corpus import load_corpus

_PASSES = 200
_QUICK_PASSES = 20


def run(quick: bool = False) -> dict[str, float | int]:
    """Screen the corpus; return n, precision, recall and mean microseconds per posting."""
    entries = load_corpus()
    flagged = [bool(entry.screen()) for entry in entries]  # also the warm-up pass
    true_positives = sum(1 for entry, hit in zip(entries, flagged, strict=True) if hit and entry.discriminatory)
    flagged_count = sum(flagged)
    discriminatory_count = sum(1 for entry in entries if entry.discriminatory)

    passes = _QUICK_PASSES if quick else _PASSES
    started = time.perf_counter_ns()
    for _ in range(passes):
        for entry in entries:
            entry.screen()
    elapsed_ns = time.perf_counter_ns() - started

    return {
        "n": len(entries),
        "precision": round(true_positives / flagged_count, 4) if flagged_count else 0.0,
        "recall": round(true_positives / discriminatory_count, 4) if discriminatory_count else 0.0,
        "per_posting_us": round(elapsed_ns / (passes * len(entries)) / 1000, 1),
    }
