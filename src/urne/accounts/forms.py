"""Voter account forms. Every one that faces the public may carry the CAPTCHA mixin."""

import re
from functools import cached_property
from typing import Any

from django import forms
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .captcha import Challenge, captcha_check, captcha_enabled, captcha_new
from .models import ChallengeQuestion


class CaptchaInput(forms.TextInput):
    """Never shows the previous answer: each rendering is a new challenge."""

    def format_value(self, value: Any) -> None:
        return None


class CaptchaFormMixin(forms.Form):
    """Adds a `captcha` field checked against the session's challenge for `captcha_purpose`.
    Build the form with ``request=``; templates include ``accounts/_captcha.html``, which draws
    a fresh challenge via `captcha_challenge`. Reusable by the booth (vote code, replacement)."""

    captcha_purpose = "default"
    captcha_required = True

    def __init__(self, *args: Any, request: HttpRequest, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.request = request
        self.captcha_on = False
        if self.captcha_required:
            self.captcha_ask()

    def captcha_ask(self) -> None:
        """Add the CAPTCHA (when enabled): at construction, or to a form already checked whose
        page must now show it (a failure just made it required)."""
        if captcha_enabled() and not self.captcha_on:
            self.captcha_on = True
            self.fields["captcha"] = forms.CharField(
                label=_("CAPTCHA"),
                max_length=12,
                help_text=_("Recopiez les 5 chiffres de l'image, ou écoutez-les."),
                widget=CaptchaInput(
                    attrs={"autocomplete": "off", "inputmode": "numeric", "spellcheck": "false"}
                ),
                error_messages={"required": _("Veuillez recopier le CAPTCHA.")},
            )

    def clean_captcha(self) -> str:
        answer: str = self.cleaned_data.get("captcha", "")
        if not captcha_check(self.request, answer, purpose=self.captcha_purpose):
            raise forms.ValidationError(
                _("Le CAPTCHA saisi est incorrect. Un nouveau code vous est proposé."),
                code="captcha",
            )
        return answer

    @cached_property
    def captcha_challenge(self) -> Challenge | None:
        if not self.captcha_on:
            return None
        return captcha_new(self.request, purpose=self.captcha_purpose)


class IdentifyForm(CaptchaFormMixin):
    captcha_purpose = "identify"
    email = forms.EmailField(
        label=_("Identifiant"),
        max_length=254,
        help_text=_(
            "Votre adresse de messagerie professionnelle, par exemple prenom.nom@ac-dijon.fr"
        ),
        widget=forms.EmailInput(attrs={"autocomplete": "username", "spellcheck": "false"}),
        error_messages={
            "required": _("Veuillez saisir votre identifiant."),
            "invalid": _("Saisissez une adresse de messagerie valide (prenom.nom@ac-xxxx.fr)."),
        },
    )

    def __init__(self, *args: Any, style: str, **kwargs: Any) -> None:
        # The identification carries the CAPTCHA in the 2022 style (seed 004).
        self.captcha_required = style == "2022"
        super().__init__(*args, **kwargs)


LABELS_2018 = {
    # Seed 002 (2018) says "mot de passe personnel électeur"; seeds 003-004 (2022) "Élections".
    "password": _("Mot de passe personnel électeur"),
    "confirmation": _("Confirmation du mot de passe personnel électeur"),
}


def _style_labels(form: forms.Form, style: str) -> None:
    if style == "2018":
        for name, label in LABELS_2018.items():
            if name in form.fields:
                form.fields[name].label = label


class PasswordLoginForm(CaptchaFormMixin):
    """The password step; the CAPTCHA only after failures on the account or from the address
    (`secret_failures.captcha_asked`, ADR 0500)."""

    captcha_purpose = "login_password"
    password = forms.CharField(
        label=_("Mot de passe Élections"),
        strip=False,
        max_length=256,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": _("Veuillez saisir votre mot de passe.")},
    )

    def __init__(
        self, *args: Any, style: str = "2022", captcha_asked: bool = False, **kwargs: Any
    ) -> None:
        self.captcha_required = captcha_asked
        super().__init__(*args, **kwargs)
        _style_labels(self, style)


class PasswordCreateForm(CaptchaFormMixin):
    captcha_purpose = "password"
    password = forms.CharField(
        label=_("Mot de passe Élections"),
        strip=False,
        max_length=256,
        widget=forms.PasswordInput(
            attrs={"autocomplete": "new-password", "aria-describedby": "password-rules"}
        ),
        error_messages={"required": _("Veuillez saisir un mot de passe.")},
    )
    confirmation = forms.CharField(
        label=_("Confirmation du mot de passe Élections"),
        strip=False,
        max_length=256,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": _("Veuillez confirmer le mot de passe.")},
    )

    def __init__(self, *args: Any, style: str = "2022", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style_labels(self, style)


class ActivationForm(forms.Form):
    question = forms.ChoiceField(
        label=_("Choix de la question défi"),
        choices=[("", _("— Choisissez une question —")), *ChallengeQuestion.choices],
        error_messages={"required": _("Veuillez choisir une question défi.")},
    )
    answer = forms.CharField(
        label=_("Répondre à la question défi choisie"),
        max_length=200,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
        error_messages={"required": _("Veuillez saisir votre réponse secrète.")},
    )
    confirmation = forms.CharField(
        label=_("Ressaisir la réponse à la question défi"),
        max_length=200,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
        error_messages={"required": _("Veuillez ressaisir votre réponse secrète.")},
    )


class ResetRequestForm(CaptchaFormMixin):
    captcha_purpose = "reset"
    email = forms.EmailField(
        label=_("Adresse de messagerie professionnelle"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "username", "spellcheck": "false"}),
        error_messages={
            "required": _("Veuillez saisir votre adresse de messagerie professionnelle."),
            "invalid": _("Saisissez une adresse de messagerie valide (prenom.nom@ac-xxxx.fr)."),
        },
    )


#: A link token as ``tokens.token_new`` makes it (``secrets.token_urlsafe``).
_LINK_TOKEN = re.compile(r"[A-Za-z0-9_-]{20,128}")


class LinkForm(forms.Form):
    """The e-mailed link's token, posted by the link page's script from the URL's fragment,
    or pasted by the voter (the whole link, or the part after "#") when scripts are off."""

    lien = forms.CharField(
        label=_("Lien reçu par courriel"),
        max_length=2048,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={"required": _("Collez le lien reçu par courriel.")},
    )

    def clean_lien(self) -> str:
        token = self.cleaned_data["lien"].strip().rsplit("#", 1)[-1].strip()
        if not _LINK_TOKEN.fullmatch(token):
            raise forms.ValidationError(
                _(
                    "Ce lien n'est pas valide. Vérifiez que vous avez copié le lien complet du "
                    "courriel."
                ),
                code="link_invalid",
            )
        return token
