"""职业技能等级证书 by occupation and level (issue 17): the certificates issued in a period, and the
distinct people holding them, per occupation (职业分类大典 code) and level (1 一级/高级技师 … 5 五级/初级工).

Pure SQL text, no I/O. Read from ``programme_facts`` (kind ``certificate_issued``, on its
``issued_on``; occupation, level and ``person_ref`` since ``migrations/0018_…``) directly, as the
key-enterprise figures read theirs: a district issues a few thousand certificates a year, and a
breakdown by two codes is no sum the flows keep.
"""

from __future__ import annotations

LEVEL_NAMES = {1: "一级/高级技师", 2: "二级/技师", 3: "三级/高级工", 4: "四级/中级工", 5: "五级/初级工"}
"""The 职业技能等级 by number, as the programmes service records them."""


def certificates_query() -> str:
    """Rows ``(occupation_code, level, certificates, holders)`` of the certificates issued in
    ``[{start}, {end}]`` (in ``{street}``, or everywhere when it is empty): each certificate once (the
    facts are keyed by event), each holder once per occupation and level."""
    return """
    SELECT occupation_code, level, count() AS certificates, uniqExact(person_ref) AS holders
    FROM programme_facts FINAL
    WHERE kind = 'certificate_issued' AND day BETWEEN {start:Date} AND {end:Date}
      AND ({street:String} = '' OR street_code = {street:String})
    GROUP BY occupation_code, level
    ORDER BY occupation_code, level
    """


def holders_query() -> str:
    """One row ``(certificates, holders)``: the period's totals, each holder once across occupations."""
    return """
    SELECT count(), uniqExact(person_ref)
    FROM programme_facts FINAL
    WHERE kind = 'certificate_issued' AND day BETWEEN {start:Date} AND {end:Date}
      AND ({street:String} = '' OR street_code = {street:String})
    """
