"""`{% load labels %}`: a stored code shown by its name (`urne.backoffice.labels`)."""

from django import template

from urne.backoffice.labels import AUDIT_ACTIONS, MESSAGES, PHASES, label, object_type_label

register = template.Library()


@register.filter
def phase_label(code: str) -> str:
    return label(PHASES, code)


@register.filter
def message_label(code: str) -> str:
    return label(MESSAGES, code)


@register.filter
def audit_label(code: str) -> str:
    return label(AUDIT_ACTIONS, code)


@register.filter
def object_label(object_type: str) -> str:
    return object_type_label(object_type)
