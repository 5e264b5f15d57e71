"""The site's page tree: the home page and one page per emulation movement, plus fields.

Practice models are not pages (see README, "Architecture notes"): a movement page lists
and serves them through its routes.
"""

from django import forms
from django.db import models
from django.shortcuts import get_object_or_404
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from modelcluster.fields import ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, HelpPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index

from caching.public_pages import cache_public_page


class Field(models.Model):
    """A field of work (lĩnh vực), one taxonomy shared by every movement."""

    name = models.CharField(_("name"), max_length=255, unique=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    description = models.TextField(_("description"), blank=True)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    panels = [FieldPanel("name"), FieldPanel("slug"), FieldPanel("description"), FieldPanel("sort_order")]

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = pgettext_lazy("taxonomy", "field")
        verbose_name_plural = pgettext_lazy("taxonomy", "fields")

    def __str__(self):
        return self.name


class HomePage(Page):
    """The site's root page: totals by movement, the latest recognised models, entry points."""

    hero_title = models.CharField(_("headline"), max_length=255, blank=True)
    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])

    content_panels = [*Page.content_panels, FieldPanel("hero_title"), FieldPanel("intro")]
    subpage_types = ["movements.MovementPage"]
    parent_page_types = ["wagtailcore.Page"]
    max_count = 1

    class Meta:
        verbose_name = _("home page")
        verbose_name_plural = _("home pages")

    def get_context(self, request, *args, **kwargs):
        from models_registry import selectors

        context = super().get_context(request, *args, **kwargs)
        context.update(selectors.home_page_summary())
        return context

    @method_decorator(cache_public_page)
    def serve(self, request, *args, **kwargs):
        return super().serve(request, *args, **kwargs)


class MovementPage(RoutablePageMixin, Page):
    """An emulation movement ("Dân vận khéo", "Chi bộ bốn tốt"): its intro, fields and models.

    Its criteria are the emulation criteria (`emulation_criteria`, edited on the emulation admin
    screen), the one list that both scoring and this page use.
    """

    abbreviation = models.CharField(
        _("abbreviation"), max_length=20, blank=True, help_text=_("For example DVK or CB4T.")
    )
    intro = RichTextField(_("introduction"), blank=True)
    fields = ParentalManyToManyField(
        Field, blank=True, related_name="movements", verbose_name=_("fields used by this movement")
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("abbreviation"),
        FieldPanel("intro"),
        FieldPanel("fields", widget=forms.CheckboxSelectMultiple),
        # The criteria have one home, the emulation criteria screen: the panel points there.
        HelpPanel(template="movements/admin/criteria_help_panel.html", heading=_("Criteria")),
    ]
    search_fields = [*Page.search_fields, index.SearchField("intro")]
    parent_page_types = ["movements.HomePage"]
    subpage_types = []

    class Meta:
        verbose_name = _("movement")
        verbose_name_plural = _("movements")

    @method_decorator(cache_public_page)
    def serve(self, request, *args, **kwargs):
        # The listing and every model page below it, for anonymous visitors (caching/).
        return super().serve(request, *args, **kwargs)

    @path("")
    def listing(self, request):
        """The movement's models: searched, filtered by every facet but the movement, paged."""
        from search.views import search_context  # search imports this module

        return self.render(request, context_overrides=search_context(request, fixed_movement=self))

    @path("<slug:slug>/", name="practice_model")
    def practice_model(self, request, slug):
        """One published practice model of this movement (drafts are never served here)."""
        from models_registry import selectors

        practice_model = get_object_or_404(selectors.published_detail(), movement=self, slug=slug)
        return self.render(
            request,
            template="models_registry/practice_model.html",
            context_overrides=selectors.practice_model_context(practice_model=practice_model),
        )

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # Through the reverse accessor: movements sits below emulation and never imports it.
        context["criteria"] = list(self.emulation_criteria.filter(is_active=True).order_by("sort_order", "pk"))
        return context
