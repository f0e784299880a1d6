"""The strict parsers (``urne.site.parsing``, ADR 0520): each refuses its bad input with its
own code, and never with another exception."""

import json
from datetime import date as Date

import pytest
from django.utils import translation

from urne.site.parsing import (
    MESSAGES,
    InputError,
    date,
    int_id,
    json_depth,
    json_text,
    text,
    utf8,
)


def refused(code, fn, *args, **kwargs):
    with pytest.raises(InputError) as caught:
        fn(*args, **kwargs)
    assert caught.value.code == code
    assert caught.value.message  # a named message, translated
    return caught.value


@pytest.mark.parametrize(
    ("body", "depth"),
    [
        ("1", 0),
        ("[]", 1),
        ('{"a": [1, {"b": []}]}', 4),
        ('["[[[[", "}}}"]', 1),  # brackets inside strings do not count
        ('["\\"[[["]', 1),  # nor after an escaped quote
        ("[" * 100_000, 100_000),
    ],
)
def test_json_depth_without_recursion(body, depth):
    assert json_depth(body) == depth


def test_a_document_nested_deeper_than_the_interpreter_can_parse_is_refused_by_depth():
    refused("json_too_deep", json_text, b"[" * 100_000, max_bytes=200_000, max_depth=8)
    refused("json_too_deep", json_text, b'{"a": [[1]]}', max_bytes=100, max_depth=2)
    assert json_text(b'{"a": [[1]]}', max_bytes=100, max_depth=3) == {"a": [[1]]}


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b"{", "bad_json"),
        (b'{"a": NaN}', "bad_json"),
        (b"[Infinity]", "bad_json"),
        (b'{"a": 1, "a": 2}', "bad_json"),  # duplicate key
        (b'"\xff"', "bad_encoding"),  # invalid UTF-8
        (b'"\xed\xa0\x80"', "bad_encoding"),  # an encoded surrogate
        (b'"\\ud800"', "bad_encoding"),  # a lone surrogate escape
        (b'{"\\udfff": 1}', "bad_encoding"),  # in a key too
        (b'["\\u0000"]', "bad_encoding"),
        (b"\x00", "bad_encoding"),
        (b"[" + b"1," * 600 + b"1]", "body_too_large"),
    ],
)
def test_json_text_refusals(body, code):
    refused(code, json_text, body, max_bytes=1000, max_depth=4)


def test_a_surrogate_pair_is_one_character_and_accepted():
    assert json_text(b'"\\ud83d\\uddf3"', max_bytes=100, max_depth=1) == "\U0001f5f3"
    value = {"scrutin": "Hx", "ballot": json.dumps({"a": [[1]]})}
    assert json_text(json.dumps(value).encode(), max_bytes=1000, max_depth=1) == value


@pytest.mark.parametrize("value", ["9" * 19, "²", "١٢", "-1", "+1", " 1", "1e3", "", "0x1"])
def test_int_id_refusals(value):
    refused("bad_id", int_id, value)


def test_int_id():
    assert int_id("0042") == 42 and int_id("9" * 18) == 10**18 - 1
    refused("bad_id", int_id, "1234", max_digits=3)


@pytest.mark.parametrize("value", ["2026-02-30", "2026-2-3", "２０２６-01-01", "20260101", ""])
def test_date_refusals(value):
    refused("bad_date", date, value)


def test_date():
    assert date("2026-12-02") == Date(2026, 12, 2)


def test_text():
    assert text("Réclamation", max_length=20) == "Réclamation"
    refused("text_too_long", text, "x" * 21, max_length=20)
    refused("bad_encoding", text, "a\x00", max_length=20)
    refused("bad_encoding", text, "\ud800", max_length=20)
    refused("not_text", text, 5, max_length=20)
    refused("bad_encoding", utf8, b"\xc3")
    assert utf8("é".encode()) == "é"


@pytest.mark.parametrize("code", sorted(MESSAGES))
def test_every_refusal_has_a_status_and_an_english_message(code):
    status, message = MESSAGES[code]
    assert 400 <= status < 500
    with translation.override("fr"):
        french = str(message)
    with translation.override("en"):
        english = str(message)
    assert "rien n'a été enregistré" in french
    assert english != french and "nothing was recorded" in english
