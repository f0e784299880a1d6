"""The look a deployment chooses (ADRs 0221, 0241): one setting, ``URNE_THEME``.

``default`` is Urne's own neutral theme (``urne.theme``); ``dsfr`` adds ``urne.theme_dsfr``,
the French State's design system, for a State deployment only. A theme is an app placed
before the apps whose templates it overrides (Django takes the first template found): the
base templates, the components and the staff frame. Read by the settings (no Django import
beyond the exception) and by the tests that switch themes.
"""

from django.core.exceptions import ImproperlyConfigured

THEMES: dict[str, list[str]] = {"default": [], "dsfr": ["urne.theme_dsfr"]}
# What a theme adds to the Content-Security-Policy (ADR 0550): the DSFR's style sheet draws
# the Marianne block and its form controls as data: SVG images (images only: no script,
# no style, no other host).
CSP_ADDED: dict[str, dict[str, list[str]]] = {"dsfr": {"img-src": ["data:"]}}
# The first installed app whose templates a theme overrides (backoffice/base.html).
_BEFORE = "urne.backoffice"


def installed_apps(apps: list[str], theme: str) -> list[str]:
    """`apps` with the chosen theme's apps, and no other theme's, before ``urne.backoffice``."""
    if theme not in THEMES:
        raise ImproperlyConfigured(
            f"URNE_THEME={theme!r}: unknown theme (one of {', '.join(sorted(THEMES))})."
        )
    others = {app for apps_of in THEMES.values() for app in apps_of}
    kept = [app for app in apps if app not in others]
    at = kept.index(_BEFORE)
    return kept[:at] + THEMES[theme] + kept[at:]


def content_security_policy(policy: dict[str, list[str]], theme: str) -> dict[str, list[str]]:
    """`policy` with the chosen theme's additions, and no other theme's."""
    added = CSP_ADDED.get(theme, {})
    others = {v for adds in CSP_ADDED.values() for values in adds.values() for v in values}
    return {
        directive: [v for v in values if v not in others] + added.get(directive, [])
        for directive, values in policy.items()
    }
