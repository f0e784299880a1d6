"""The booth's forms that post data (the vote code itself is never posted: views_pages)."""

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from urne.accounts.forms import CaptchaFormMixin
from urne.messaging.phones import PhoneRefused, mobile_e164

NUMEN = re.compile(r"^\d{2}[A-Z]\d{7}[A-Z]{3}$")


class _UnshownInput(forms.TextInput):
    """A text field whose value is never written back into the page (the NIR: a refused
    form shows an empty field, not the digits typed)."""

    def format_value(self, value: Any) -> None:
        return None


class ReassortChallengeForm(CaptchaFormMixin):
    """Seed 004, "Demande de réassort du code de vote": the secret answer, the NUMEN, and the
    channel of the activation link with its personal phone or address. The CAPTCHA only after
    failures on the account's secrets (ADR 0500)."""

    captcha_purpose = "reassort"

    answer = forms.CharField(label=_("Saisissez votre réponse secrète"), max_length=256)
    numen = forms.CharField(
        label=_("Saisissez votre NUMEN"),
        max_length=13,
        help_text=_("2 chiffres, une majuscule, 7 chiffres puis 3 majuscules."),
    )
    via = forms.ChoiceField(
        label=_("Envoi du lien d'activation"),
        choices=[
            ("sms", _("Envoi du lien d'activation par SMS sur votre smartphone personnel")),
            (
                "email",
                _(
                    "Envoi du lien d'activation par E-MAIL sur votre messagerie personnelle "
                    "(cette messagerie personnelle doit être impérativement différente de celle "
                    "qui est utilisée pour vous identifier au portail élections)"
                ),
            ),
        ],
        widget=forms.RadioSelect,
    )
    phone = forms.CharField(
        label=_("Numéro de téléphone mobile personnel"),
        required=False,
        max_length=32,
        help_text=_("Hors de France métropolitaine, au format international : +262 692 12 34 56."),
    )
    email = forms.EmailField(label=_("Adresse mail personnelle"), required=False, max_length=254)

    def __init__(
        self,
        *args: Any,
        professional: str,
        captcha_asked: bool,
        identifier: str = "numen",
        **kwargs: Any,
    ):
        self.professional = professional
        self.captcha_required = captcha_asked
        super().__init__(*args, **kwargs)
        if identifier == "nir":  # the election's option (ADR 0652): the NIR, not the NUMEN
            del self.fields["numen"]
            self.fields["nir"] = forms.CharField(
                label=_("Saisissez les 10 premiers chiffres de votre numéro de sécurité sociale"),
                max_length=20,
                help_text=_(
                    "Les 10 premiers chiffres de votre carte Vitale (2A ou 2B pour la Corse), "
                    "sans la suite ni la clé."
                ),
                widget=_UnshownInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
            )

    def clean_nir(self) -> str:
        from urne.elections.nir import nir_first_ten

        typed = re.sub(r"[\s.\-]", "", self.cleaned_data["nir"])
        if len(typed) != 10 or nir_first_ten(typed) is None:
            raise forms.ValidationError(
                _(
                    "Saisissez les 10 premiers caractères de votre numéro de sécurité sociale : "
                    "10 chiffres (2A ou 2B pour la Corse)."
                )
            )
        return typed.upper()

    def clean_numen(self) -> str:
        numen = self.cleaned_data["numen"].strip().replace(" ", "").upper()
        if not NUMEN.match(numen):
            raise forms.ValidationError(
                _("Le NUMEN compte 13 caractères : 2 chiffres, une lettre, 7 chiffres, 3 lettres.")
            )
        return numen

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        via = data.get("via")
        if via == "sms":
            data["destination"] = self._mobile(data.get("phone", ""))
        elif via == "email":
            email = (data.get("email") or "").strip()
            if not email:
                self.add_error("email", _("Saisissez votre adresse mail personnelle."))
            elif email.casefold() == self.professional.casefold():
                self.add_error(
                    "email",
                    _(
                        "Cette adresse est votre adresse professionnelle : choisissez une adresse "
                        "personnelle, différente de celle du portail élections."
                    ),
                )
            data["destination"] = email
        return data

    def _mobile(self, raw: str) -> str:
        try:
            return mobile_e164(raw)
        except PhoneRefused as refused:
            if refused.code == "not_mobile":
                self.add_error("phone", _("Ce numéro n'est pas celui d'un téléphone mobile."))
            else:
                self.add_error("phone", _("Ce numéro de téléphone n'est pas valide."))
            return ""
