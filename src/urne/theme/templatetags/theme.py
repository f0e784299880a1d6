from django import template
from django.conf import settings
from django.http import HttpRequest

register = template.Library()


@register.simple_tag
def path_without_language(request: HttpRequest) -> str:
    """The current path without its language prefix ("/en/je-vote/?q=1" -> "/je-vote/?q=1").

    The language switch posts this as `next`: Django's set_language then adds the chosen
    language's prefix itself. (Given "/en/…" while switching to French, with an unprefixed
    default language, `translate_url` cannot resolve it and would keep the English prefix.)
    """
    path = request.get_full_path()
    for code, _name in settings.LANGUAGES:
        prefix = f"/{code}/"
        if path.startswith(prefix):
            return "/" + path[len(prefix) :]
    return path


@register.filter
def grouped(value: int | str) -> str:
    """A count with the page language's thousands separator: "20 000" (a no-break space, as
    Django's French format has it) in French, "20,000" in English. The one way the pages
    write a large number."""
    from django.utils.formats import number_format

    return number_format(value, force_grouping=True)
