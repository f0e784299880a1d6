from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("", RedirectView.as_view(pattern_name="backoffice:home", permanent=False)),
]
urlpatterns += i18n_patterns(
    path("backoffice/", include("urne.backoffice.urls")),
    path("compte/", include("urne.accounts.urls")),
    path("admin/", admin.site.urls),
    path("vote/", include("urne.booth.urls")),
    prefix_default_language=False,
)
if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
