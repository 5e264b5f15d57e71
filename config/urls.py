from django.conf import settings
from django.urls import include, path

from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from models_registry import sitemaps

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("don-vi/", include("models_registry.urls")),
    path("", include("stats.urls")),  # /api/v1/stats/ and /thong-ke/, before the search API
    path("api/v1/", include("models_registry.export_urls")),  # models/export.csv|xlsx, before the search API
    path("api/v1/", include("search.urls")),
    path("tim-kiem/", include("search.page_urls")),
    path("bang-vinh-danh/", include("models_registry.honour_urls")),
    path("du-lieu-mo/", include("models_registry.open_data_urls")),
    path("nguon-tin/", include("models_registry.feed_urls")),
    path("sitemap.xml", sitemaps.sitemap_index),
    path("sitemap-<slug:section>.xml", sitemaps.sitemap_section, name="sitemap_section"),
]

if settings.DEBUG:
    from django.conf.urls.static import static
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += [path("", include(wagtail_urls))]
