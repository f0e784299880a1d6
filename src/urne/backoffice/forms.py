from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from urne.accounts.forms import CaptchaFormMixin
from urne.elections.candidate_lists import CandidateInput
from urne.elections.models import (
    Complaint,
    Election,
    Gender,
    RollAdjustment,
    Scrutin,
    Style,
    Union,
)


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


class UnionForm(forms.Form):
    name = forms.CharField(label=_("Nom de l'organisation syndicale"), max_length=200)
    acronym = forms.CharField(label=_("Sigle"), max_length=40)


#: What a candidate's gender may be typed as (F: femme; H or M: homme).
GENDERS_TYPED = {"F": Gender.WOMAN, "H": Gender.MAN, "M": Gender.MAN}


def candidates_text(candidates: list[CandidateInput]) -> str:
    return "\n".join(f"{c.last_name} ; {c.first_name} ; {c.gender}" for c in candidates)


class CandidateListForm(forms.Form):
    """A list's registration or change: its scrutin (on registration), its label, its unions
    with their shares (a joint list's split key; none declared: equal shares) and its
    candidates, one a line in the list's order."""

    scrutin = forms.ModelChoiceField(label=_("Scrutin"), queryset=Scrutin.objects.none())
    label = forms.CharField(label=_("Intitulé de la liste"), max_length=200)
    candidates = forms.CharField(
        label=_("Candidats, dans l'ordre de la liste"),
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("Un candidat par ligne : NOM ; Prénom ; F (femme) ou H (homme)."),
    )

    def __init__(
        self, *args: Any, election: Election, unions: list[Union], with_scrutin: bool, **kw: Any
    ) -> None:
        super().__init__(*args, **kw)
        self.unions = unions
        if with_scrutin:
            scrutins = Scrutin.objects.filter(election=election).select_related("body")
            field = self.fields["scrutin"]
            assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 - declared above
            field.queryset = scrutins.order_by("body__code", "perimeter")
        else:
            del self.fields["scrutin"]
        for union in unions:
            self.fields[f"union_{union.pk}"] = forms.BooleanField(
                label=f"{union.acronym} — {union.name}", required=False
            )
            self.fields[f"share_{union.pk}"] = forms.DecimalField(
                label=_("Part de %(u)s (%%)") % {"u": union.acronym},
                required=False,
                min_value=Decimal("0.01"),
                max_value=Decimal(100),
                decimal_places=2,
                max_digits=5,
            )

    def union_rows(self) -> list[tuple[Any, Any]]:
        return [(self[f"union_{u.pk}"], self[f"share_{u.pk}"]) for u in self.unions]

    def clean_candidates(self) -> list[CandidateInput]:
        out, errors = [], []
        for n, line in enumerate(self.cleaned_data["candidates"].splitlines(), start=1):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.replace("\t", ";").split(";")]
            gender = GENDERS_TYPED.get(parts[2].upper()) if len(parts) == 3 else None
            if gender is None or not parts[0] or not parts[1]:
                errors.append(_("Ligne %(n)d : « NOM ; Prénom ; F ou H » attendu.") % {"n": n})
                continue
            out.append(CandidateInput(parts[0], parts[1], gender))
        if errors:
            raise forms.ValidationError(errors)
        return out

    def chosen_unions(self) -> list[tuple[Union, Decimal | None]]:
        data = self.cleaned_data
        return [(u, data.get(f"share_{u.pk}")) for u in self.unions if data.get(f"union_{u.pk}")]

    @staticmethod
    def initial_of(
        label: str, unions: list[tuple[Union, Decimal | None]], candidates: list[CandidateInput]
    ) -> dict[str, Any]:
        initial: dict[str, Any] = {"label": label, "candidates": candidates_text(candidates)}
        for union, share in unions:
            initial[f"union_{union.pk}"] = True
            initial[f"share_{union.pk}"] = share
        return initial
