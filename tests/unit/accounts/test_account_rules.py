"""Unit tests of the accounts rules: both password policies rule by rule, the live-rule
patterns agree with the validators, suggestions, answer normalisation, tokens, rate limits,
CAPTCHA media tokens."""

import re

import pytest
from django.core.exceptions import ValidationError

from urne.accounts.captcha import captcha_png, code_from_token
from urne.accounts.services import answer_normalise
from urne.accounts.tokens import token_digest, token_new
from urne.accounts.validators import (
    password_suggest,
    policy_rules,
    policy_validate,
)


class Account:
    email = "camille.martin@ac-dijon.fr"


CASES = {
    "2018": {
        "Motdepasse1": set(),
        "Mot1": {"password_length"},
        "M" * 23 + "o1": {"password_length"},
        "motdepasse1": {"password_upper"},
        "MOTDEPASSE1": {"password_lower"},
        "Motdepasse": {"password_digit"},
        "CAMILLE.martin1": set(),
        "ÉTÉ-123-été": set(),  # 2018 counts accented letters
        "été-123-été": {"password_upper"},
        "camille.martin@ac-dijon.fr": {
            "password_upper",
            "password_digit",
            "password_length",
            "password_is_email",
        },
    },
    "2022": {
        "Mot-de-passe-2022": set(),
        "Motdepasse2022": {"password_special"},
        "mot-de-passe-2022": {"password_upper"},
        "MOT-DE-PASSE-2022": {"password_lower"},
        "Mot-de-passe-deux": {"password_digit"},
        "Mo-1": {"password_length"},
        "Éé-éèà-ÉÈÀ-2022": {"password_lower", "password_upper", "password_charset"},
        "Abcdéfghijk1!": {"password_charset"},  # seed 003: "exclusivement" unaccented
        "x" * 250 + "A-1" + "y" * 10: {"password_length"},
    },
}


def _codes(style, password):
    try:
        policy_validate(style=style, password=password, account=Account())
    except ValidationError as error:
        return {e.code for e in error.error_list}
    return set()


@pytest.mark.parametrize(
    ("style", "password", "broken"),
    [(style, pw, broken) for style, cases in CASES.items() for pw, broken in cases.items()],
)
def test_policies_rule_by_rule(style, password, broken):
    assert _codes(style, password) == broken


@pytest.mark.parametrize("style", ["2018", "2022"])
def test_live_patterns_agree_with_the_validators(style):
    """The page's JS ticks a rule when its pattern matches; Python must agree."""
    for password in CASES[style]:
        broken = _codes(style, password)
        for rule in policy_rules(style):
            if not rule["pattern"]:
                continue
            matches = re.search(rule["pattern"], password) is not None
            assert matches == (f"password_{rule['id']}" not in broken), (rule, password)


def test_rules_list_each_policy():
    assert [r["id"] for r in policy_rules("2018")] == ["length", "lower", "upper", "digit", "email"]
    assert [r["id"] for r in policy_rules("2022")] == [
        "length",
        "lower",
        "upper",
        "digit",
        "special",
        "charset",
        "email",
    ]
    assert policy_rules("2022")[0]["label"] == "entre 12 et 256 caractères"
    assert policy_rules("2018")[1]["label"] == "au moins 1 minuscule"
    assert policy_rules("2022")[1]["label"] == "au moins 1 lettre en minuscule non accentuée"


@pytest.mark.parametrize("style", ["2018", "2022"])
def test_suggestions_meet_the_policy_and_differ(style):
    suggestions = {password_suggest(style) for _ in range(50)}
    assert len(suggestions) == 50
    for s in suggestions:
        assert _codes(style, s) == set()


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Saint-Étienne", "saint etienne"),
        ("  MÉDOR ", "medor"),
        ("L'Haÿ-les-Roses", "l hay les roses"),
        ("Œuvre", "œuvre"),
    ],
)
def test_answers_compare_without_case_accents_or_punctuation(a, b):
    assert answer_normalise(a) == answer_normalise(b)


def test_answers_still_differ_when_letters_differ():
    assert answer_normalise("Médor") != answer_normalise("Medort")


def test_tokens_are_random_and_stored_as_digest():
    raw, digest = token_new()
    assert len(raw) >= 43 and digest == token_digest(raw) and raw not in digest
    assert token_new()[0] != raw


def test_captcha_media_token_round_trip_and_forgery():
    from urne.accounts.captcha import _fernet

    token = _fernet().encrypt(b"12345").decode()
    assert code_from_token(token) == "12345"
    assert code_from_token(token[:-2] + "AA") is None
    assert code_from_token("nonsense") is None
    assert code_from_token(_fernet().encrypt(b"abc").decode()) is None
    assert captcha_png("12345")[:8] == b"\x89PNG\r\n\x1a\n"
