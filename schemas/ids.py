"""Identifiers: 居民身份证号码 (GB 11643), 统一社会信用代码 (GB 32100), ``person_ref``, 街镇 codes.

ID numbers never leave the registration service. What travels on the bus is ``person_ref``: a keyed
HMAC-SHA256 of the normalised number. Without the key a ref cannot be linked back to a person (the ID
space is small enough to enumerate, which is why a plain hash would not do); with the same key the same
person always gets the same ref, so consumers can count and join on it.

The validators raise ``PydanticCustomError`` with Chinese messages because API errors show them to
users. No message repeats the input: it may be personal data.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from datetime import date
from typing import Annotated

from pydantic import AfterValidator, StringConstraints, WithJsonSchema
from pydantic_core import PydanticCustomError
from stdnum.cn import ric, uscc
from stdnum.exceptions import InvalidComponent

from schemas.reference import STREETS

# --- GB 11643 居民身份证号码 -------------------------------------------------------------------------

_ID_SHAPE = re.compile(r"[0-9]{17}[0-9X]")
_EARLIEST_BIRTH = date(1900, 1, 1)


def normalise_id_number(s: str) -> str:
    """Canonical form of an ID number as typed: full-width -> half-width, no whitespace, ``x`` -> ``X``.

    Normalisation does not validate; use ``is_valid_id_number`` or the ``IdNumber`` type for that.
    """
    return "".join(unicodedata.normalize("NFKC", s).split()).upper()


def id_check_char(first17: str) -> str:
    """The GB 11643 check character (ISO 7064 MOD 11-2) for the first 17 digits of an ID number."""
    # python-stdnum computes it from a whole number and ignores the last place: pad one.
    return ric.calc_check_digit(first17 + "0")


def _birth_date(number: str) -> date | None:
    """Digits 7–14 as a date, or ``None`` when they are not a real calendar date."""
    try:
        return ric.get_birth_date(number)
    except InvalidComponent:
        return None


def _validate_id_number(value: str) -> str:
    """Return the normalised number, or raise the first problem found (shape, birth date, check char).

    Not ``ric.validate``: it also looks the 6-digit address code up in python-stdnum's division list,
    which would refuse numbers issued under since-abolished codes (they stay valid for life).
    """
    s = normalise_id_number(value)
    if not _ID_SHAPE.fullmatch(s):
        raise PydanticCustomError("id_number_format", "身份证号码须为18位：17位数字加1位校验码")
    birth = _birth_date(s)
    if birth is None or not _EARLIEST_BIRTH <= birth <= date.today():
        raise PydanticCustomError("id_number_birth_date", "身份证号码中的出生日期无效")
    if s[17] != ric.calc_check_digit(s):
        raise PydanticCustomError("id_number_check", "身份证号码校验位错误")
    return s


def is_valid_id_number(s: str) -> bool:
    """GB 11643 check of a number as typed (it is normalised first).

    Valid means: 17 digits and a check character computed by ISO 7064 MOD 11-2, and digits 7–14 form a
    real calendar date between 1900-01-01 and today. The 6-digit address code is not checked against
    the division list, because numbers issued under since-abolished codes stay valid for life.
    """
    try:
        _validate_id_number(s)
    except PydanticCustomError:
        return False
    return True


def person_ref(id_number: str, key: bytes) -> str:
    """Pseudonymous person id for events: HMAC-SHA256(key, normalised ID number) as 64 lowercase hex.

    Raises ``ValueError`` (without echoing the number) when the number is invalid, and when the key is
    shorter than 16 bytes: an empty or trivial key would make refs reversible by enumeration.
    """
    if len(key) < 16:
        raise ValueError("person_ref key must be at least 16 bytes")
    if not is_valid_id_number(id_number):
        raise ValueError("invalid ID number")
    normalised = normalise_id_number(id_number)
    return hmac.new(key, normalised.encode("ascii"), hashlib.sha256).hexdigest()


# --- GB 32100 统一社会信用代码 ------------------------------------------------------------------------

# 31 characters: digits and capitals without I, O, Z, S, V.
_CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def credit_code_check_char(first17: str) -> str:
    """The GB 32100 check character (mod 31) for the first 17 characters of a credit code."""
    return uscc.calc_check_digit(first17)


def _validate_credit_code(value: str) -> str:
    """Return the normalised code, or raise its first problem (character set and length, check char).

    Not ``uscc.validate``: it wants digits in the first 8 places, but the registering authority (place
    1) may be a letter, as in the N… codes of rural collective economic organisations.
    """
    s = "".join(unicodedata.normalize("NFKC", value).split()).upper()
    if len(s) != 18 or any(c not in _CREDIT_CHARS for c in s):
        raise PydanticCustomError(
            "credit_code_format", "统一社会信用代码须为18位数字或大写字母（不含I、O、Z、S、V）"
        )
    if s[17] != credit_code_check_char(s[:17]):
        raise PydanticCustomError("credit_code_check", "统一社会信用代码校验位错误")
    return s


def is_valid_credit_code(s: str) -> bool:
    """GB 32100 check: 18 characters from the 31-character set, the last one the mod-31 check character.

    Whitespace, full-width characters and lower case are tolerated as in ``normalise_id_number``.
    """
    try:
        _validate_credit_code(s)
    except PydanticCustomError:
        return False
    return True


# --- 街镇 -------------------------------------------------------------------------------------------


def _validate_street_code(value: str) -> str:
    if value not in STREETS:
        raise PydanticCustomError("street_code", "未知的街镇代码")
    return value


# --- Annotated field types for reuse in events and service APIs -----------------------------------

IdNumber = Annotated[
    str,
    AfterValidator(_validate_id_number),
    WithJsonSchema({"type": "string", "description": "居民身份证号码 (GB 11643), normalised"}),
]
"""A valid GB 11643 number, normalised. For service APIs only: events never carry ID numbers."""

CreditCode = Annotated[
    str,
    AfterValidator(_validate_credit_code),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": f"^[{_CREDIT_CHARS}]{{18}}$",
            "description": "统一社会信用代码 (GB 32100), upper case, check character verified",
        }
    ),
]
"""A valid 统一社会信用代码, normalised to upper case. Identifies employers (``employer_ref``)."""

PersonRef = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
"""``person_ref(id_number, key)`` output: 64 lowercase hex characters."""

StreetCode = Annotated[
    str,
    AfterValidator(_validate_street_code),
    WithJsonSchema(
        {"type": "string", "enum": sorted(STREETS), "description": "9-digit code of a 街镇 of Xiqing"}
    ),
]
"""One of the 12 街镇 codes in ``schemas/reference/xiqing_divisions.json``."""

CommunityCode = Annotated[
    str,
    StringConstraints(pattern=r"^120111[0-9]{6}$"),
    WithJsonSchema({"type": "string", "pattern": "^120111[0-9]{6}$",
                    "description": "12-digit code of a 社区/行政村 of Xiqing (统计用区划代码)"}),
]
"""The shape of a 社区/行政村 code: 12 digits in Xiqing (120111). Whether the community exists is the
list's business (``schemas.reference.load_communities``): a service checks it against the list it loaded."""

EntityId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")]
"""Opaque id chosen by the owning service (vacancy_id, case_id, alert_id, report_id, session_id,
station_code, ...): ASCII, at most 64 characters, UUIDs fit. Never derive one from personal data."""
