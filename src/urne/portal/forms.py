from django import forms
from django.utils.translation import gettext_lazy as _

from urne.accounts.forms import CaptchaFormMixin
from urne.elections.models import Scrutin

from .models import AssistanceRequest
from .replacement import phone_normalise


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


class ReplacementForm(CaptchaFormMixin):
    """ "Demande d'un nouvel identifiant électeur" (seed 001): the phone number, the NUMEN,
    the birth date and the CAPTCHA (with its audio)."""

    captcha_purpose = "replacement"
    phone = forms.CharField(
        label=_("N° tél"),
        max_length=30,
        help_text=_(
            "Pour les électeurs des DROM-COM et de l'étranger, à saisir avec les indicatifs "
            "internationaux éventuels adéquats"
        ),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
        error_messages={"required": _("Veuillez saisir votre numéro de téléphone portable.")},
    )
    numen = forms.CharField(
        label=_("NUMEN"),
        max_length=20,
        help_text=_("Vous pouvez obtenir votre NUMEN auprès de votre service RH académique."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={"required": _("Veuillez saisir votre NUMEN.")},
    )
    birth_date = forms.DateField(
        label=_("Date de naissance (jj/mm/aaaa)"),
        input_formats=["%d/%m/%Y"],
        widget=forms.TextInput(attrs={"autocomplete": "bday", "inputmode": "numeric"}),
        error_messages={
            "required": _("Veuillez saisir votre date de naissance."),
            "invalid": _("Saisissez la date de naissance sous la forme jj/mm/aaaa."),
        },
    )

    def clean_phone(self) -> str:
        return phone_normalise(self.cleaned_data.get("phone", ""))


class ReserveForm(forms.Form):
    """The helpdesk sends the reserve code: the number the voter gives on the phone."""

    phone = forms.CharField(
        label=_("Numéro de téléphone portable de l'électeur"),
        max_length=30,
        help_text=_("Avec l'indicatif international pour les DROM-COM et l'étranger."),
    )

    def clean_phone(self) -> str:
        return phone_normalise(self.cleaned_data.get("phone", ""))


class AssistanceAnswerForm(forms.Form):
    """The helpdesk's answer to a request (``answers.assistance_answer``), e-mailed to the
    address the request gave."""

    response = forms.CharField(
        label=_("Réponse envoyée par courriel"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Jamais de mot de passe ni de code de vote."),
    )
