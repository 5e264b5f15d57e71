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
    import re

    from django.contrib.staticfiles.urls import staticfiles_urlpatterns
    from django.urls import re_path

    from models_registry.media_permissions import serve_public_media

    urlpatterns += staticfiles_urlpatterns()
    # Not django.conf.urls.static: that would hand out /media/documents/ past the permission check.
    urlpatterns += [re_path(rf"^{re.escape(settings.MEDIA_URL.lstrip('/'))}(?P<path>.*)$", serve_public_media)]

urlpatterns += [path("", include(wagtail_urls))]
