"""The two password policies of the seeds as Django password validators (ADR 0201).

Each validator is also a *rule* the page shows and checks live: `rule_id`, `rule_label()` and
`rule_pattern()` (a JavaScript regular expression matched against the typed password; the
e-mail rule is checked by the script against the identifier). The lists per election style are
`settings.URNE_PASSWORD_POLICIES`, in `AUTH_PASSWORD_VALIDATORS` format.
"""

import re
import secrets
import string
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import get_password_validators
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

SPECIALS = string.punctuation  # !"#$%&'()*+,-./:;<=>?@[\]^_`{|}~
_CLASSES: dict[str, tuple[str, str]] = {
    # kind: (Python/JS character class, needed for the suggestion alphabet)
    "lower": ("[a-z]", string.ascii_lowercase),
    "upper": ("[A-Z]", string.ascii_uppercase),
    "digit": ("[0-9]", string.digits),
    "special": ("[!-/:-@\\[-`{-~]", SPECIALS),
}


class LengthValidator:
    rule_id = "length"

    def __init__(self, min_length: int = 8, max_length: int = 24) -> None:
        self.min_length, self.max_length = min_length, max_length

    def rule_label(self) -> str:
        return _("entre %(min)d et %(max)d caractères") % {
            "min": self.min_length,
            "max": self.max_length,
        }

    def rule_pattern(self) -> str:
        return f"^[\\s\\S]{{{self.min_length},{self.max_length}}}$"

    def validate(self, password: str, user: Any = None) -> None:
        if not self.min_length <= len(password) <= self.max_length:
            raise ValidationError(
                _("Le mot de passe doit contenir %(rule)s.") % {"rule": self.rule_label()},
                code="password_length",
            )

    def get_help_text(self) -> str:
        return self.rule_label()


# Letters with or without accents (Latin-1 and œ/Œ), for a policy that does not ask for
# unaccented ones (2018: "au moins 1 minuscule, au moins 1 Majuscule").
_ANY_CASE = {"lower": "[a-zß-öø-ÿœ]", "upper": "[A-ZÀ-ÖØ-ÞŒ]"}


class CharacterClassValidator:
    """At least `count` characters of one class: lower, upper (unaccented ASCII unless
    `ascii_only=False`), digit, special (ASCII punctuation)."""

    def __init__(self, kind: str, count: int = 1, ascii_only: bool = True) -> None:
        if kind not in _CLASSES:
            raise ValueError(kind)
        self.kind, self.count = kind, count
        self.ascii_only = ascii_only or kind not in _ANY_CASE
        self.rule_id = kind
        self.pattern_class = _CLASSES[kind][0] if self.ascii_only else _ANY_CASE[kind]

    def rule_label(self) -> str:
        if not self.ascii_only:
            label = {
                "lower": ngettext(
                    "au moins %(n)d minuscule", "au moins %(n)d minuscules", self.count
                ),
                "upper": ngettext(
                    "au moins %(n)d majuscule", "au moins %(n)d majuscules", self.count
                ),
            }[self.kind]
            return label % {"n": self.count}
        labels = {
            "lower": ngettext(
                "au moins %(n)d lettre en minuscule non accentuée",
                "au moins %(n)d lettres en minuscule non accentuées",
                self.count,
            ),
            "upper": ngettext(
                "au moins %(n)d lettre en majuscule non accentuée",
                "au moins %(n)d lettres en majuscule non accentuées",
                self.count,
            ),
            "digit": ngettext("au moins %(n)d chiffre", "au moins %(n)d chiffres", self.count),
            "special": ngettext(
                "au moins %(n)d caractère spécial (%(chars)s)",
                "au moins %(n)d caractères spéciaux (%(chars)s)",
                self.count,
            ),
        }
        return labels[self.kind] % {"n": self.count, "chars": SPECIALS}

    def rule_pattern(self) -> str:
        cls = self.pattern_class
        return "(?:[\\s\\S]*?" + cls + "){" + str(self.count) + "}"

    def validate(self, password: str, user: Any = None) -> None:
        if len(re.findall(self.pattern_class, password)) < self.count:
            raise ValidationError(
                _("Le mot de passe doit contenir %(rule)s.") % {"rule": self.rule_label()},
                code=f"password_{self.kind}",
            )

    def get_help_text(self) -> str:
        return self.rule_label()


class ExclusiveCharactersValidator:
    """Only unaccented ASCII letters, digits and ASCII special characters (seed 003: "Ce mot
    de passe doit *exclusivement* comprendre … lettre … non-accentuée"): 'é' is refused, not
    merely not counted."""

    rule_id = "charset"
    pattern_class = "[A-Za-z0-9!-/:-@\\[-`{-~]"

    def rule_label(self) -> str:
        return _("uniquement des lettres non accentuées, des chiffres et des caractères spéciaux")

    def rule_pattern(self) -> str:
        return "^" + self.pattern_class + "*$"

    def validate(self, password: str, user: Any = None) -> None:
        if not re.fullmatch(self.pattern_class + "*", password):
            raise ValidationError(
                _(
                    "Le mot de passe ne doit contenir que des lettres non accentuées, des "
                    "chiffres et des caractères spéciaux (pas de lettre accentuée ni d'espace)."
                ),
                code="password_charset",
            )

    def get_help_text(self) -> str:
        return self.rule_label()


class DifferentFromEmailValidator:
    """The password differs from the professional e-mail (and from its local part)."""

    rule_id = "email"

    def rule_label(self) -> str:
        return _("différent de votre adresse de messagerie professionnelle")

    def rule_pattern(self) -> str:
        return ""  # checked by the script against the identifier shown on the page

    def validate(self, password: str, user: Any = None) -> None:
        email = (getattr(user, "email", "") or "").strip().lower()
        if not email:
            return
        candidate = password.strip().lower()
        if candidate in {email, email.split("@", 1)[0]}:
            raise ValidationError(
                _("Le mot de passe doit être différent de votre adresse de messagerie."),
                code="password_is_email",
            )

    def get_help_text(self) -> str:
        return self.rule_label()


def policy_validators(style: str) -> list[Any]:
    """The validators of an election style's policy (settings.URNE_PASSWORD_POLICIES)."""
    configs: list[dict[str, Any]] = list(settings.URNE_PASSWORD_POLICIES[style])  # type: ignore[arg-type]
    return get_password_validators(configs)


def policy_validate(*, style: str, password: str, account: Any) -> None:
    """Raise ValidationError with every broken rule of the style's policy."""
    errors: list[ValidationError] = []
    for validator in policy_validators(style):
        try:
            validator.validate(password, account)
        except ValidationError as error:
            errors.append(error)
    if errors:
        raise ValidationError(errors)


def policy_rules(style: str) -> list[dict[str, str]]:
    """The rules as the page lists them: id, label, JS pattern."""
    return [
        {"id": v.rule_id, "label": v.rule_label(), "pattern": v.rule_pattern()}
        for v in policy_validators(style)
    ]


def password_suggest(style: str) -> str:
    """A random password meeting the style's policy (seed 003: "il vous est déjà proposé un
    mot de passe"); shown once, never stored."""
    validators = policy_validators(style)
    kinds = [v.kind for v in validators if isinstance(v, CharacterClassValidator)]
    lengths = [v for v in validators if isinstance(v, LengthValidator)]
    length = min(max(16, lengths[0].min_length + 4), lengths[0].max_length) if lengths else 16
    # Unambiguous alphabet; specials limited to ones easy to type on any keyboard.
    alphabets = {
        "lower": "abcdefghijkmnpqrstuvwxyz",
        "upper": "ABCDEFGHJKLMNPQRSTUVWXYZ",
        "digit": "23456789",
        "special": "!#$%*+-=?@_",
    }
    alphabet = "".join(alphabets[k] for k in ("lower", "upper", "digit")) + (
        alphabets["special"] if "special" in kinds else ""
    )
    while True:
        chars = [secrets.choice(alphabets[k]) for k in kinds]
        chars += [secrets.choice(alphabet) for _ in range(length - len(chars))]
        # Shuffle with a CSPRNG.
        for i in range(len(chars) - 1, 0, -1):
            j = secrets.randbelow(i + 1)
            chars[i], chars[j] = chars[j], chars[i]
        candidate = "".join(chars)
        try:
            for v in validators:
                v.validate(candidate, None)
        except ValidationError:
            continue
        return candidate
