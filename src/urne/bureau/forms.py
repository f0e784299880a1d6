"""The forms of the bureau's members pages, the invitation and the lost key. They parse; the
rules are in ``members`` and ``keyloss``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from urne.elections.models import Election, Scrutin, Union

from .members import unions_with_a_list
from .models import Bureau, Member


class MemberAddForm(forms.Form):
    role = forms.ChoiceField(label=_("Rôle"), choices=Member.Role.choices)
    union = forms.ModelChoiceField(
        label=_("Organisation syndicale (délégué seulement)"),
        queryset=Union.objects.none(),
        required=False,
    )
    name = forms.CharField(label=_("Nom et prénom"), max_length=200)
    email = forms.EmailField(label=_("Courriel professionnel"), max_length=254)
    language = forms.ChoiceField(
        label=_("Langue de ses courriels"),
        choices=Member.LANGUAGES,
        initial="fr",
        required=False,
    )

    def __init__(self, *args: Any, election: Election, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["union"].queryset = unions_with_a_list(election)  # type: ignore[attr-defined]


class MemberActionForm(forms.Form):
    """Invite a member (again), reset their access or remove them (with the reason, for the
    journal), or correct their address and language."""

    member = forms.IntegerField(min_value=1)
    reason = forms.CharField(
        label=_("Motif de la réinitialisation"), max_length=500, required=False
    )
    email = forms.EmailField(label=_("Courriel professionnel"), max_length=254, required=False)
    language = forms.ChoiceField(
        label=_("Langue de ses courriels"),
        choices=Member.LANGUAGES,
        required=False,
    )


class ScrutinsForm(forms.Form):
    scrutins = forms.ModelMultipleChoiceField(
        label=_("Scrutins couverts (aucun coché : tous ceux de l'élection)"),
        queryset=Scrutin.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, bureau: Bureau, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["scrutins"].queryset = Scrutin.objects.filter(  # type: ignore[attr-defined]
            election_id=bureau.election_id
        ).order_by("pk")


class InvitationPasswordForm(forms.Form):
    password = forms.CharField(
        label=_("Mot de passe"),
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    confirmation = forms.CharField(
        label=_("Confirmation du mot de passe"),
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password") and data.get("password") != data.get("confirmation"):
            self.add_error("confirmation", _("Les deux mots de passe diffèrent."))
        return data


class KeyLossForm(forms.Form):
    holder = forms.ModelChoiceField(
        label=_("Détenteur dont la clé est perdue"), queryset=Member.objects.none()
    )
    present = forms.ModelMultipleChoiceField(
        label=_("Membres présents à la décision"),
        queryset=Member.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    reason = forms.CharField(
        label=_("Ce que le bureau a constaté"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, bureau: Bureau, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        members = Member.objects.filter(bureau=bureau).order_by("pk")
        self.fields["holder"].queryset = members.filter(  # type: ignore[attr-defined]
            role__in=[Member.Role.PRESIDENT, Member.Role.DELEGATE]
        )
        self.fields["present"].queryset = members  # type: ignore[attr-defined]
