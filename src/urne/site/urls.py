from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

from urne.backoffice.auth_views import admin_login
from urne.site.health import healthz, readyz

urlpatterns: list[URLPattern | URLResolver] = [
    path("i18n/", include("django.conf.urls.i18n")),
    # Monitoring (docs/operations.md): no language prefix, no session, nothing counted.
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
]
urlpatterns += i18n_patterns(
    path("backoffice/messagerie/", include("urne.messaging.urls")),
    path("backoffice/assistance/", include("urne.accounts.helpdesk_urls")),
    path("backoffice/", include("urne.backoffice.urls")),
    path("backoffice/autorite/", include("urne.authority.urls")),
    path("backoffice/bureau/", include("urne.bureau.urls")),
    path("compte/", include("urne.accounts.urls")),
    # Before the admin's own: its login page would skip the CAPTCHA and the second factor.
    path("admin/login/", admin_login, name="admin_login"),
    path("admin/", admin.site.urls),
    path("vote/", include("urne.booth.urls")),
    path("bulletins/", include("urne.urn.urls")),
    path("", include("urne.count.urls")),
    # The voter portal at the root: "/" is its home (seeds 003-004).
    path("", include("urne.portal.urls")),
    prefix_default_language=False,
)
# MEDIA_ROOT is never served, not even in development: it holds the voter files (NUMEN, birth
# dates, e-mails), the uploaded imports and the professions de foi before date B. Each file
# someone may read has a view that checks who asks (portal and back office; ADR 0553).

# A store that cannot be reached is a 503, never a 500 (ADR 0585); every other error is
# Django's 500 page (the theme's 500.html).
handler500 = "urne.site.db_unavailable.server_error"
