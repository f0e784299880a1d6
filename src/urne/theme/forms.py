from django.forms.renderers import DjangoTemplates


class ThemeFormRenderer(DjangoTemplates):
    """Django's renderer, each field through ``theme/forms/field.html``: the default theme's
    is Django's own field, a swapped theme (ADR 0221) gives its own markup and classes."""

    field_template_name = "theme/forms/field.html"
