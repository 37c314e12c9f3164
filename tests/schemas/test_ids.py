"""GB 11643 ID numbers, GB 32100 credit codes, person_ref and the annotated identifier types."""

from __future__ import annotations

import pytest
from pydantic import TypeAdapter, ValidationError

from schemas.ids import (
    CreditCode,
    IdNumber,
    StreetCode,
    credit_code_check_char,
    is_valid_credit_code,
    is_valid_id_number,
    normalise_id_number,
    person_ref,
)

KEY = b"k" * 32
OTHER_KEY = b"o" * 32


@pytest.mark.parametrize(
    "number",
    [
        pytest.param("11010519491231002X", id="the standard's own example, ends in X"),
        pytest.param("12011119950315008X", id="Xiqing, ends in X"),
        pytest.param("120111199003071238", id="Xiqing 1990"),
        pytest.param("120111200002290012", id="born on 29 February of a leap year"),
        pytest.param("120111197211080092", id="Xiqing 1972"),
    ],
)
def test_valid_id_numbers(number: str) -> None:
    assert is_valid_id_number(number) is True


@pytest.mark.parametrize(
    "number",
    [
        pytest.param("120111199003071239", id="wrong check digit"),
        pytest.param("110105194912310021", id="digit where X is due"),
        pytest.param("120111199002301235", id="30 February"),
        pytest.param("120111189912310011", id="born before 1900"),
        pytest.param("120111299901010011", id="born in the future"),
        pytest.param("12011119900307123", id="17 characters"),
        pytest.param("1201111990030712388", id="19 characters"),
        pytest.param("120111199003071X38", id="X not in last place"),
        pytest.param("", id="empty"),
        pytest.param("12011119900307123A", id="letter other than X"),
    ],
)
def test_invalid_id_numbers(number: str) -> None:
    assert is_valid_id_number(number) is False


@pytest.mark.parametrize(
    ("typed", "normalised"),
    [
        pytest.param("11010519491231002x", "11010519491231002X", id="lower-case x"),
        pytest.param(" 1201 1119 9003 0712 38 ", "120111199003071238", id="spaces"),
        pytest.param("１２０１１１１９９００３０７１２３８", "120111199003071238", id="full-width digits"),
        pytest.param("１１０１０５１９４９１２３１００２ｘ", "11010519491231002X", id="full-width x"),
        pytest.param("120111\u3000199003071238", "120111199003071238", id="ideographic space"),
    ],
)
def test_normalise_id_number(typed: str, normalised: str) -> None:
    assert normalise_id_number(typed) == normalised
    assert is_valid_id_number(typed) is True
    assert TypeAdapter(IdNumber).validate_python(typed) == normalised


@pytest.mark.parametrize(
    ("number", "message"),
    [
        pytest.param("120111199003071239", "身份证号码校验位错误", id="check digit"),
        pytest.param("120111199002301235", "身份证号码中的出生日期无效", id="birth date"),
        pytest.param("1201111990", "身份证号码须为18位：17位数字加1位校验码", id="length"),
    ],
)
def test_id_number_type_messages_are_chinese_and_do_not_echo(number: str, message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        TypeAdapter(IdNumber).validate_python(number)
    [error] = caught.value.errors(include_input=False)
    assert error["msg"] == message
    assert number not in error["msg"]


def test_person_ref_is_keyed_hmac_hex() -> None:
    ref = person_ref("120111199003071238", KEY)
    assert len(ref) == 64
    assert ref == ref.lower()
    assert int(ref, 16) >= 0
    assert "120111199003071238" not in ref
    assert ref == person_ref("120111199003071238", KEY)
    assert ref != person_ref("120111199003071238", OTHER_KEY)
    assert ref != person_ref("120111197211080092", KEY)


def test_person_ref_normalises_first() -> None:
    assert person_ref("11010519491231002x", KEY) == person_ref("１１０１０５１９４９１２３１００２Ｘ", KEY)


@pytest.mark.parametrize(
    ("number", "key"),
    [
        pytest.param("120111199003071239", KEY, id="invalid number"),
        pytest.param("120111199003071238", b"", id="empty key"),
        pytest.param("120111199003071238", b"short", id="short key"),
    ],
)
def test_person_ref_rejects(number: str, key: bytes) -> None:
    with pytest.raises(ValueError) as caught:
        person_ref(number, key)
    assert number not in str(caught.value)


@pytest.mark.parametrize(
    "code",
    [
        pytest.param("91350100M000100Y43", id="the standard's own example"),
        pytest.param("91120111MA05K0AB10", id="Xiqing company, check 0"),
        pytest.param("12120000401234567W", id="public institution, check W"),
        pytest.param("52120111MJ12345672", id="social organisation"),
        pytest.param("91120111ma05k0ab10", id="lower case is normalised"),
    ],
)
def test_valid_credit_codes(code: str) -> None:
    assert is_valid_credit_code(code) is True
    assert TypeAdapter(CreditCode).validate_python(code) == code.upper()


@pytest.mark.parametrize(
    "code",
    [
        pytest.param("91120111MA05K0AB11", id="wrong check character"),
        pytest.param("91350100M000100Y4", id="17 characters"),
        pytest.param("91350100M000100Y433", id="19 characters"),
        pytest.param("91120111MA05K0AI10", id="I is not in the character set"),
        pytest.param("9112011IMA05K0AB1O", id="O is not in the character set"),
        pytest.param("91120111MA05K0-B10", id="punctuation"),
    ],
)
def test_invalid_credit_codes(code: str) -> None:
    assert is_valid_credit_code(code) is False


def test_credit_code_check_char_is_mod_31() -> None:
    assert credit_code_check_char("91350100M000100Y4") == "3"
    assert credit_code_check_char("12120000401234567") == "W"


def test_credit_code_type_message() -> None:
    with pytest.raises(ValidationError) as caught:
        TypeAdapter(CreditCode).validate_python("91120111MA05K0AB11")
    assert caught.value.errors()[0]["msg"] == "统一社会信用代码校验位错误"


@pytest.mark.parametrize(
    ("code", "valid"),
    [
        pytest.param("120111001", True, id="西营门街道"),
        pytest.param("120111106", True, id="王稳庄镇"),
        pytest.param("120111107", False, id="one past the last 镇"),
        pytest.param("120111", False, id="the district itself"),
        pytest.param("120104001", False, id="a street of another district"),
    ],
)
def test_street_code(code: str, valid: bool) -> None:
    adapter = TypeAdapter(StreetCode)
    if valid:
        assert adapter.validate_python(code) == code
    else:
        with pytest.raises(ValidationError) as caught:
            adapter.validate_python(code)
        assert caught.value.errors()[0]["msg"] == "未知的街镇代码"
