from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from urne.accounts.forms import CaptchaFormMixin
from urne.elections.models import Complaint, RollAdjustment, Style


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


class _ParisDateTime(forms.DateTimeField):
    """A date and time typed in Paris time (the form's inputs), stored in UTC."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")

    def __init__(self, label: Any) -> None:
        super().__init__(label=label, required=False, input_formats=["%Y-%m-%dT%H:%M"])


class ElectionForm(forms.Form):
    """The election's name, style and calendar (dates A to E, Paris time)."""

    name = forms.CharField(label=_("Nom de l'élection"), max_length=200)
    style = forms.ChoiceField(label=_("Style"), choices=Style.choices)
    rolls_from = _ParisDateTime(_("A — profil et listes électorales à partir du"))
    lists_from = _ParisDateTime(_("B — listes de candidats à partir du"))
    complaints_until = _ParisDateTime(_("C — réclamations jusqu'au"))
    vote_opens = _ParisDateTime(_("D — ouverture du vote"))
    vote_closes = _ParisDateTime(_("E — clôture du vote"))
    reassort_nir = forms.BooleanField(
        label=_("Réassort : demander les 10 premiers chiffres du numéro de sécurité sociale"),
        required=False,
        help_text=_(
            "Désactivé par défaut : le NUMEN est demandé. À n'activer que si le responsable de "
            "traitement est autorisé à utiliser le NIR (décret n° 2019-341) ; le fichier "
            "d'électeurs en porte alors la colonne, dont seul un hachage à clé est gardé."
        ),
    )


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
