"""Discrimination screening of job postings (就业歧视筛查).

Contract
--------
``screen_posting(title, description, *, age_min=None, age_max=None, requirements=None)`` returns
one ``ScreeningFinding`` per category found, in the fixed order of ``CATEGORIES``; an empty list means
the posting is clean. It is a pure function: deterministic, no I/O, no shared mutable state, safe to
call from any thread and to replay. Typical cost is well under a millisecond per posting (the
patterns are compiled once at import). ``reason`` is Chinese text meant for the employer: the rule,
the phrase that triggered it (postings are employer text, not personal data) and the legal basis;
it is at most ``MAX_REASON_CHARS`` long so it fits an event's explanation field.

The screener flags for review; it does not adjudicate the narrow lawful exceptions (e.g. the
categories of work women are barred from, 女职工禁忌从事的劳动范围). The reason tells the employer
how to claim such an exception.

How it works
------------
The title, description and structured requirements are normalised (NFKC, so full-width punctuation
and digits become ASCII; lower case; spaces between Chinese characters dropped). For each category:

1. *allow* patterns (lawful phrasing such as 男女不限, 不限户籍, 欢迎残疾人士, 女装 as a product,
   解决天津户口 as a benefit) are blanked out, keeping character positions;
2. *restrict* patterns are searched in what remains, and each hit is quoted by its clause.

The tables are ``rules.py``, the engine ``engine.py``. Age is numeric and handled by
``engine._age_quotes``; structured fields (``requirements``) are checked by
key and their ``key:value`` text is screened like the description.

Policy decisions (judgement calls, keep in sync with the labels of the corpus,
``leye/bench/data/screening_corpus.yaml``)
---------------------------------------------------------------------
- **Preferences count as restrictions** (男性优先, 本市户籍优先, 已婚已育优先, 宝妈优先): the
  Women's Rights Law art. 43 names 男性优先 explicitly and the 2019 nine-department notice forbids
  性别优先 either way. **Exception: preferences the law itself creates as positive action** are
  lawful and allowed: 退役军人优先 (Veterans Protection Law), 残疾人优先 (quota employment of
  disabled people), 少数民族优先 (Employment Promotion Law art. 28 requires 适当照顾), 就业困难人员.
- **Welcoming is not restricting**: a clause containing 欢迎 / 均可 / 也可 is inclusive and is not
  screened for gender, ethnicity, hukou, identity, disability, religion, region or health. It is still
  screened for marital status and age: "欢迎已婚已育" is the usual euphemism for a preference.
- **适合宝妈** (describes the hours) is clean; **宝妈优先 / 只招宝妈** is a gender and childbearing
  preference and is flagged for both.
- **Gendered job nouns**: 招保洁阿姨, 只要小伙子, 女服务员 name the sex of the person hired and are
  flagged; 女装 / 女鞋 / 男士理发 / 男科 / 妇产科 / 女性健康产品 name products, clientele or
  specialities and are not.
- **Age**: an upper age cap below ``AGE_CAP_FLOOR`` (40) is flagged (the national plan targets the
  "35岁门槛"), as are cohort limits (限95后, 只招00后) and 年轻人优先. Caps at 40 or above, caps tied
  to the statutory retirement age, and lower bounds of 16 or more are lawful and not flagged. A lower
  bound under 16 is flagged (Labour Law art. 15 bans hiring under-16s). **就业见习 traineeships are
  exempt from the cap rule**: their age eligibility (16-24岁失业青年, 离校2年内毕业生) is set by
  policy. A posting is a traineeship when ``requirements["kind"]`` is ``traineeship`` / 见习岗位 or the
  text says 就业见习 / 见习岗位 / 见习生 (not merely 见习期, which regular posts use for probation).
  Ages that describe other people (0-3岁婴幼儿, 6-12岁小学生, 60岁以上老人) are ignored.
- **应届毕业生**: 限应届 / 应届生优先 / 仅限2026届 are *not* flagged. Graduate-targeted hiring
  (campus recruitment, 就业见习, graduate programmes) is something national employment policy
  promotes, and 应届 status is not among the grounds the Employment Promotion Law protects.
- **Residence vs origin**: 家住附近优先 (commute; 就近就业 is policy) and 公益性岗位 reserved for
  local registered hard-to-employ people are lawful. Native place (不要河南人, 本地人优先, 籍贯限…)
  is flagged as region; household registration (本市户籍, 天津户口) as hukou; urban/rural status
  (城镇户口, 非农业户口, 不招农民工) as identity.
- **Health**: 乙肝 / 丙肝 / HIV carrier exclusions and 乙肝五项 checks are flagged (Employment
  Promotion Law art. 30; 人社部发〔2010〕12号). 健康证, 身体健康 and 无犯罪记录 are lawful and not
  screened; the broad 无传染病 is left alone (food-safety rules exclude specific diseases).
- **Not screened** (outside the listed grounds): 学历 / 院校 tiers, appearance (五官端正, 身高),
  criminal records, 党员优先, language skills (普通话标准, 熟练掌握维吾尔语).
"""

from __future__ import annotations

from .engine import ScreeningFinding, screen_posting
from .rules import AGE_CAP_FLOOR, CATEGORIES, CATEGORY_LABELS, MAX_REASON_CHARS

__all__ = [
    "AGE_CAP_FLOOR",
    "CATEGORIES",
    "CATEGORY_LABELS",
    "MAX_REASON_CHARS",
    "ScreeningFinding",
    "screen_posting",
]
