from django import forms
from django.utils.translation import gettext_lazy as _

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
