from django import forms
from django.utils.translation import gettext_lazy as _

from urne.elections.models import Scrutin

from .models import AssistanceRequest


class AssistanceForm(forms.Form):
    name = forms.CharField(label=_("Nom et prénom"), max_length=200)
    email = forms.EmailField(
        label=_("Adresse électronique professionnelle"),
        max_length=254,
        help_text=_("La réponse vous sera envoyée à cette adresse."),
    )
    topic = forms.ChoiceField(label=_("Sujet"), choices=AssistanceRequest.Topic.choices)
    message = forms.CharField(
        label=_("Votre message"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "4 000 caractères au plus. N'écrivez jamais votre mot de passe ni votre code de vote."
        ),
    )


class ComplaintForm(forms.Form):
    scrutin = forms.TypedChoiceField(
        label=_("Objet de la réclamation"), coerce=int, empty_value=None
    )
    subject = forms.CharField(label=_("Résumé"), max_length=200)
    text = forms.CharField(
        label=_("Votre réclamation"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "Décrivez ce qui est inexact et ce qui devrait figurer (4 000 caractères au plus)."
        ),
    )

    def __init__(self, *args: object, scrutins: list[Scrutin], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.scrutins = {s.pk: s for s in scrutins}
        self.fields["scrutin"].choices = [("", _("Mon profil électeur"))] + [  # type: ignore[attr-defined]
            (s.pk, _("Le scrutin %(scrutin)s et sa liste électorale") % {"scrutin": s})
            for s in scrutins
        ]
        self.fields["scrutin"].required = False


class RollSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Rechercher un nom"),
        help_text=_(
            "Le début du nom, du prénom ou des deux, dans l'ordre de votre choix ; "
            "les accents sont facultatifs."
        ),
        max_length=100,
        required=False,
    )
