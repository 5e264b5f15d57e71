"""sitemap.xml: an index of sections, so that 100,000 models fit (one sitemap holds at most 50,000 URLs).

`/sitemap.xml` is the index; each section is `/sitemap-<section>.xml`, paged with `?p=` beyond
`limit` URLs: Wagtail's pages, the published practice models (served by their movement's page,
so absent from Wagtail's page tree), the public unit pages and the site's other public pages.
"""

from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps import views as sitemap_views
from django.db.models import Max
from django.urls import reverse

from wagtail.contrib.sitemaps import Sitemap as PageSitemap

from .models import PracticeModel, Unit

SECTION_SIZE = 10_000  # URLs per sitemap page: well below the 50,000 limit, light to render


class PracticeModelSitemap(Sitemap):
    """Every published model at its public address /<movement>/<model-slug>/, last published date."""

    limit = SECTION_SIZE

    def __init__(self, request=None):
        self.request = request
        self._movement_paths: dict[int, tuple[object, str | None]] = {}

    def items(self):
        return (
            PracticeModel.objects.published()
            .exclude(slug="")
            .only("id", "slug", "movement", "last_published_at")
            .order_by("id")
        )

    def _movement(self, movement_id: int):
        if movement_id not in self._movement_paths:
            from movements.models import MovementPage

            movement = MovementPage.objects.live().filter(pk=movement_id).first()
            parts = movement.get_url_parts(self.request) if movement is not None else None
            self._movement_paths[movement_id] = (movement, parts[2] if parts else None)
        return self._movement_paths[movement_id]

    def location(self, item):
        movement, path = self._movement(item.movement_id)
        if path is None:
            return ""
        return path + movement.reverse_subpage("practice_model", kwargs={"slug": item.slug})

    def lastmod(self, item):
        return item.last_published_at

    def get_latest_lastmod(self):
        # Django's default reads every item for this; one aggregate does.
        return self.items().order_by().aggregate(latest=Max("last_published_at"))["latest"]


class UnitSitemap(Sitemap):
    """The public page of every unit (/don-vi/<code>/)."""

    limit = SECTION_SIZE

    def items(self):
        return Unit.objects.only("id", "code", "path").order_by("path")

    def location(self, item):
        return reverse("models_registry:unit_detail", kwargs={"code": item.code})


class SiteSitemap(Sitemap):
    """The public pages outside Wagtail's tree: units, honour board, statistics, open data."""

    def items(self):
        return ["models_registry:unit_index", "honour_board:index", "stats:page", "open_data:index"]

    def location(self, item):
        return reverse(item)


def sitemaps_for(request) -> dict[str, Sitemap]:
    return {
        "trang": PageSitemap(request),
        "mo-hinh": PracticeModelSitemap(request),
        "don-vi": UnitSitemap(),
        "khac": SiteSitemap(),
    }


def sitemap_index(request):
    """/sitemap.xml: the sitemap index, one entry per section page."""
    return sitemap_views.index(request, sitemaps_for(request), sitemap_url_name="sitemap_section")


def sitemap_section(request, section: str):
    """/sitemap-<section>.xml?p=N: one page of one section; 404 for an unknown section or page."""
    return sitemap_views.sitemap(request, sitemaps_for(request), section=section)
