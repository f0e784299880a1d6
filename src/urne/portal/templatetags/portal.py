from datetime import datetime

from django import template

from urne.elections.calendar import paris

register = template.Library()


@register.filter
def paris_time(moment: datetime | None) -> str:
    """A moment in Paris time, worded as in the seeds ("jeudi 1er décembre 2022 à 08h00")."""
    return paris(moment) if moment else ""


@register.filter
def two(n: int) -> str:
    return f"{int(n):02d}"
