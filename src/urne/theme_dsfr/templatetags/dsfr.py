from django import template
from django.forms import BoundField
from django.utils.safestring import SafeString

register = template.Library()

# Widgets the DSFR styles through their own markup (check boxes, radios) or not at all.
_BARE = {"checkbox", "radio", "hidden", "file"}


@register.filter
def dsfr_widget(field: BoundField) -> SafeString:
    """The field's widget with the DSFR's class added to its own: ``fr-select`` for a list,
    ``fr-input`` for any other input or text area; check boxes, radios and files unchanged."""
    widget = field.field.widget
    kind = getattr(widget, "input_type", "")  # a Textarea has none
    if kind in _BARE:
        return field.as_widget()
    css = "fr-select" if kind == "select" else "fr-input"
    own = widget.attrs.get("class", "")
    return field.as_widget(attrs={"class": f"{own} {css}".strip()})
