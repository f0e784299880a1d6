from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from urne.accounts.forms import CaptchaFormMixin
from urne.elections.models import Complaint, RollAdjustment


class VoterFileForm(forms.Form):
    file = forms.FileField(label=_("Fichier des électeurs (CSV ou XLSX)"))


class AdjustmentForm(forms.Form):
    numen = forms.CharField(label="NUMEN", max_length=13)
    kind = forms.ChoiceField(label=_("Nature"), choices=RollAdjustment.Kind.choices)
    reason = forms.CharField(label=_("Motif"), widget=forms.Textarea(attrs={"rows": 2}))


class ProfessionDeFoiForm(forms.Form):
    file = forms.FileField(label=_("Profession de foi (PDF)"))


class ComplaintDecisionForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Décision"),
        choices=[
            (Complaint.Status.ACCEPTED, _("acceptée")),
            (Complaint.Status.REJECTED, _("rejetée")),
        ],
    )
    response = forms.CharField(label=_("Réponse motivée"), widget=forms.Textarea(attrs={"rows": 3}))


class VoterSearchForm(forms.Form):
    q = forms.CharField(label=_("NUMEN, courriel ou nom"), max_length=254, required=False)


class StaffCaptchaForm(CaptchaFormMixin):
    """The CAPTCHA only when ``staff_auth.captcha_required`` says so for the login name."""

    def __init__(self, *args: Any, captcha_required: bool, **kwargs: Any) -> None:
        self.captcha_required = captcha_required
        super().__init__(*args, **kwargs)


class StaffLoginForm(StaffCaptchaForm):
    captcha_purpose = "staff_login"
    username = forms.CharField(
        label=_("Identifiant"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Mot de passe"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class TotpCodeForm(StaffCaptchaForm):
    captcha_purpose = "staff_otp"
    code = forms.CharField(
        label=_("Code à 6 chiffres"),
        max_length=12,
        help_text=_("Le code affiché par votre application d'authentification."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
        error_messages={"required": _("Veuillez saisir le code à 6 chiffres.")},
    )
