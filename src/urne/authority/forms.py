from django import forms
from django.utils.translation import gettext_lazy as _

from .services import spares_default

MAX_KEY_FILE = 1024 * 1024


class GenerateForm(forms.Form):
    spares = forms.IntegerField(
        label=_("Codes de remplacement par électeur"),
        min_value=0,
        max_value=10,
        initial=spares_default,
    )


class ReplaceForm(forms.Form):
    reason = forms.CharField(label=_("Motif du remplacement"), max_length=500)


class SetupForm(forms.Form):
    president = forms.FileField(label=_("Clé publique du président (ID.pubkey)"))
    threshold = forms.FileField(label=_("Groupe de clés des délégués (threshold.json)"))
    scrutins = forms.MultipleChoiceField(
        label=_("Scrutins"), widget=forms.CheckboxSelectMultiple, required=True
    )

    def __init__(self, *args: object, choices: list[tuple[str, str]], **kw: object) -> None:
        super().__init__(*args, **kw)  # type: ignore[arg-type]
        field = self.fields["scrutins"]
        assert isinstance(field, forms.MultipleChoiceField)  # noqa: S101 - declared above
        field.choices = choices
        self.fields["scrutins"].initial = [c for c, _label in choices]

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        for name in ("president", "threshold"):
            f = data.get(name)
            if f is not None and f.size > MAX_KEY_FILE:
                self.add_error(name, _("Fichier trop volumineux (1 Mo au plus)."))
        return data
