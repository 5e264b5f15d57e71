"""The registry's data: the unit tree, practice models and their commendations.

A practice model is a Wagtail snippet carrying revisions, draft/live state, locking and
workflows, not a page: see README, "Architecture notes", for why.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet
from wagtail import blocks
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.fields import StreamField
from wagtail.images.blocks import ImageChooserBlock
from wagtail.models import (
    DraftStateMixin,
    LockableMixin,
    Orderable,
    PreviewableMixin,
    RevisionMixin,
    WorkflowMixin,
)

from search.text import fold, normalise_spaces

FIRST_YEAR = 1990
LIVE = models.Q(live=True)


def last_allowed_year() -> int:
    return datetime.date.today().year + 1


class UnitKind(models.TextChoices):
    CITY = "city", _("City / province")
    DISTRICT = "district", _("District / town")
    COMMUNE = "commune", _("Ward / commune")
    PARTY_COMMITTEE = "party_committee", _("Party committee")
    PARTY_CELL = "party_cell", _("Party cell")
    ORGANISATION = "organisation", _("Mass organisation")


class RecognitionLevel(models.TextChoices):
    GRASSROOTS = "co-so", _("Grassroots")
    DISTRICT = "quan-huyen", _("District")
    CITY = "thanh-pho", _("City / province")
    CENTRAL = "trung-uong", _("Central")


# Rank of each recognition level, for "highest level reached".
RECOGNITION_RANK = {level.value: rank for rank, level in enumerate(RecognitionLevel, start=1)}


class CommendationForm(models.TextChoices):
    CERTIFICATE_OF_MERIT = "giay-khen", _("Certificate of merit (giấy khen)")
    DIPLOMA_OF_MERIT = "bang-khen", _("Diploma of merit (bằng khen)")
    EMULATION_FLAG = "co-thi-dua", _("Emulation flag (cờ thi đua)")
    EMULATION_TITLE = "danh-hieu", _("Emulation title (danh hiệu)")
    ORDER = "huan-chuong", _("Order (huân chương)")


unit_code_validator = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9._-]*$",
    _("A unit code may contain only letters without diacritics, digits, dots, dashes and underscores."),
)


class UnitQuerySet(MP_NodeQuerySet):
    def active(self):
        return self.filter(is_active=True)

    def subtree(self, unit: "Unit"):
        """The unit and every unit below it: one indexed prefix query on the tree path."""
        return self.filter(path__startswith=unit.path)


class UnitManager(MP_NodeManager):
    """Treebeard's manager (ordered by path) returning our queryset, so its filters chain."""

    def get_queryset(self):
        return UnitQuerySet(self.model, using=self._db).order_by("path")

    def active(self):
        return self.get_queryset().active()

    def subtree(self, unit: "Unit"):
        return self.get_queryset().subtree(unit)


class Unit(MP_Node):
    """An organisation that submits or reviews models, in one tree: city → district → ward → party cell."""

    code = models.CharField(_("code"), max_length=50, unique=True, validators=[unit_code_validator])
    name = models.CharField(_("name"), max_length=255)
    kind = models.CharField(_("kind"), max_length=20, choices=UnitKind.choices)
    is_active = models.BooleanField(_("active"), default=True)
    description = models.TextField(_("description"), blank=True)

    objects = UnitManager()

    node_order_by = None
    panels = [
        FieldPanel("code"),
        FieldPanel("name"),
        FieldPanel("kind"),
        FieldPanel("is_active"),
        FieldPanel("description"),
    ]

    class Meta:
        ordering = ["path"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("models_registry:unit_detail", kwargs={"code": self.code})


class UnitMembership(models.Model):
    """A user's role in a unit: officers submit for it, reviewers act on what the units below submit."""

    class Role(models.TextChoices):
        OFFICER = "officer", _("Unit officer")
        REVIEWER = "reviewer", _("Reviewer")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="unit_memberships", verbose_name=_("user")
    )
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("unit"))
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    includes_subunits = models.BooleanField(
        _("also for the units below"),
        default=False,
        help_text=_("An officer may also submit for every unit below this one."),
    )

    panels = [FieldPanel("user"), FieldPanel("unit"), FieldPanel("role"), FieldPanel("includes_subunits")]

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "unit", "role"], name="unique_unit_membership")]
        verbose_name = _("unit membership")
        verbose_name_plural = _("unit memberships")

    def __str__(self):
        return f"{self.user} – {self.unit} ({self.get_role_display()})"


class StoryImageBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("image"))
    caption = blocks.CharBlock(label=_("caption"), required=False, max_length=500)

    class Meta:
        icon = "image"
        label = _("Image")
        template = "models_registry/blocks/story_image.html"


class QuoteBlock(blocks.StructBlock):
    text = blocks.TextBlock(label=_("quote"))
    attribution = blocks.CharBlock(label=_("who said it"), required=False, max_length=255)

    class Meta:
        icon = "openquote"
        label = _("Quote")
        template = "models_registry/blocks/quote.html"


class StoryDocumentBlock(blocks.StructBlock):
    document = DocumentChooserBlock(label=_("document"))
    title = blocks.CharBlock(label=_("title"), required=False, max_length=255)

    class Meta:
        icon = "doc-full"
        label = _("Document")
        template = "models_registry/blocks/story_document.html"


class StoryBlock(blocks.StreamBlock):
    paragraph = blocks.RichTextBlock(label=_("Paragraph"), features=["h3", "h4", "bold", "italic", "ol", "ul", "link"])
    image = StoryImageBlock()
    quote = QuoteBlock()
    document = StoryDocumentBlock()


class PracticeModelQuerySet(models.QuerySet):
    def published(self):
        return self.filter(live=True)

    def under(self, unit: Unit):
        """Models of `unit` and of every unit below it: one query, the subtree as a path-prefix subquery."""
        if unit.depth == 1 and unit.numchild and not Unit.objects.filter(depth=1).exclude(pk=unit.pk).exists():
            # The only root holds every unit: no filter at all lets the database read a listing
            # straight off its ordered index instead of sorting the whole registry.
            return self.all()
        return self.filter(unit_id__in=Unit.objects.subtree(unit).order_by().values("id"))

    def for_listing(self):
        """Everything a listing card shows, in a fixed number of queries whatever the page size.

        Without the admin's search column, which no card reads and which is as long as the story.
        """
        return (
            self.select_related("unit", "movement", "field", "cover_image")
            .prefetch_related("cover_image__renditions")
            .defer("search_text")
        )


class PracticeModel(
    WorkflowMixin,
    DraftStateMixin,
    LockableMixin,
    RevisionMixin,
    PreviewableMixin,
    ClusterableModel,
):
    """A good-practice model ("mô hình") submitted by a unit to a movement, reviewed and published."""

    title = models.CharField(_("title"), max_length=255)
    # Wagtail lets drafts skip required fields; a model without a title is lost in every list.
    title.required_on_save = True
    slug = models.SlugField(
        _("slug"),
        max_length=100,
        unique=True,
        blank=True,
        help_text=_("The last part of the public address; made from the title when left empty."),
    )
    external_id = models.CharField(
        _("model code"),
        max_length=64,
        unique=True,
        null=True,
        blank=True,
        help_text=_("The code used in spreadsheets; importing the same code again updates this model."),
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="practice_models", verbose_name=_("unit"))
    # Units are renamed (the 2025 reorganisation renamed and merged thousands): a model keeps the
    # name its unit bore when the model was filed under it. Filled in clean(), never edited by hand.
    submitted_unit_name = models.CharField(
        _("unit name at submission"), max_length=255, blank=True, default="", editable=False
    )
    movement = models.ForeignKey(
        "movements.MovementPage",
        on_delete=models.PROTECT,
        related_name="practice_models",
        verbose_name=_("movement"),
    )
    field = models.ForeignKey(
        "movements.Field",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="practice_models",
        verbose_name=pgettext_lazy("taxonomy", "field"),
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(FIRST_YEAR), MaxValueValidator(2100)]
    )
    summary = models.TextField(_("summary"), blank=True)
    story = StreamField(StoryBlock(), blank=True, verbose_name=_("story"))
    results = models.TextField(_("results"), blank=True, help_text=_("What changed, in words."))
    cover_image = models.ForeignKey(
        "wagtailimages.Image",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cover image"),
    )
    contact_name = models.CharField(_("contact person"), max_length=255, blank=True)
    contact_position = models.CharField(_("position"), max_length=255, blank=True)
    contact_phone = models.CharField(_("phone"), max_length=50, blank=True)
    contact_email = models.EmailField(_("email"), blank=True)
    recognition_level = models.CharField(
        _("recognition level"), max_length=20, choices=RecognitionLevel.choices, blank=True
    )
    # Replication ("nhân rộng"): another unit adopted this model from the one named here.
    replicated_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="replications",
        verbose_name=_("replicated from"),
        help_text=_("The model another unit started and this unit adopted (nhân rộng)."),
    )
    # How many units run a published model replicated from this one: kept by
    # services.replication so that listings can sort by it without counting per row.
    replication_count = models.PositiveIntegerField(_("units that adopted it"), default=0, editable=False)
    # The same model registered again for a later year points at its earlier record instead of
    # standing beside it as a duplicate.
    previous_record = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="later_records",
        verbose_name=_("earlier record"),
        help_text=_("The record of the same model in an earlier year."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # Lower-cased, diacritic-free copy of the title, code and unit name, so that the admin
    # listing's search finds "Đống Đa" from "dong da" without a full-text index.
    search_text = models.TextField(editable=False, blank=True, default="")

    objects = PracticeModelQuerySet.as_manager()

    panels = [
        MultiFieldPanel(
            [
                FieldPanel("title"),
                FieldRowPanel([FieldPanel("unit"), FieldPanel("movement")]),
                FieldRowPanel([FieldPanel("field"), FieldPanel("year")]),
                FieldPanel("summary"),
                FieldPanel("cover_image"),
            ],
            heading=_("Overview"),
        ),
        FieldPanel("story"),
        MultiFieldPanel(
            [FieldPanel("results"), InlinePanel("measured_results", label=_("measured result"))],
            heading=_("Results"),
        ),
        InlinePanel("gallery_images", label=_("photo"), heading=_("Photo gallery")),
        InlinePanel("attachments", label=_("attachment"), heading=_("Attachments")),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("contact_name"), FieldPanel("contact_position")]),
                FieldRowPanel([FieldPanel("contact_phone"), FieldPanel("contact_email")]),
            ],
            heading=_("Contact"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("recognition_level"),
                FieldRowPanel([FieldPanel("replicated_from"), FieldPanel("previous_record")]),
                FieldPanel("external_id"),
                FieldPanel("slug"),
            ],
            heading=_("Registry details"),
        ),
    ]

    class Meta:
        verbose_name = _("practice model")
        verbose_name_plural = _("practice models")
        ordering = ["-year", "title"]
        permissions = [("manage_every_unit", _("Can manage the practice models of every unit"))]
        # Partial indexes over published rows only: the public never sees the rest, and Django
        # writes `live=True` as a bare `WHERE "live"`, which SQLite cannot look up in an index
        # that merely starts with `live`. Pages that read the registry directly (the home page's
        # latest recognised models and totals) read them off these indexes; the public listings go
        # through the search index (search.SearchEntry), which has its own.
        indexes = [
            models.Index(fields=["movement", "year", "first_published_at", "id"], condition=LIVE, name="pm_listing"),
            models.Index(fields=["year", "first_published_at", "id"], condition=LIVE, name="pm_listing_all"),
            models.Index(fields=["year", "last_published_at", "id"], condition=LIVE, name="pm_recent"),
            # Home page totals: models and distinct units per movement, commendations joined by id.
            models.Index(fields=["movement", "unit"], condition=LIVE, name="pm_movement_unit"),
            models.Index(fields=["unit"], condition=LIVE, name="pm_unit_live"),
            models.Index(fields=["field"], condition=LIVE, name="pm_field_live"),
            models.Index(fields=["recognition_level"], condition=LIVE, name="pm_level_live"),
            # The admin listing, drafts included: its order, and its folded search column so that a
            # search (LIKE '%word%') scans this narrow index instead of the wide rows with their stories.
            models.Index(fields=["-year", "title", "search_text"], name="pm_admin_search"),
            # Replication counts are reconciled on every publish: the non-zero ones are read off this.
            models.Index(fields=["replication_count"], name="pm_replication_count"),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        super().clean()
        self.title = normalise_spaces(self.title)
        if self.external_id is not None:
            self.external_id = self.external_id.strip() or None
        if self.year and self.year > last_allowed_year():
            raise ValidationError({"year": _("The year cannot be later than next year.")})
        self._check_links()
        if not self.slug and self.title:
            from .services import unique_slug

            self.slug = unique_slug(title=self.title, exclude_pk=self.pk)
        self._remember_submitted_unit_name()

    def _check_links(self) -> None:
        """A model is adopted from another unit's model, and continues a record of an earlier year."""
        errors = {}
        original = self.replicated_from
        if original is not None:
            if original.pk == self.pk:
                errors["replicated_from"] = _("A model cannot be replicated from itself.")
            elif self.unit_id and original.unit_id == self.unit_id:
                errors["replicated_from"] = _(
                    "Replication is another unit adopting a model: choose a model of a different unit."
                )
        earlier = self.previous_record
        if earlier is not None:
            if earlier.pk == self.pk:
                errors["previous_record"] = _("A model cannot be its own earlier record.")
            elif self.year and earlier.year >= self.year:
                errors["previous_record"] = _("The earlier record must be of an earlier year (before %(year)s).") % {
                    "year": self.year
                }
        if errors:
            raise ValidationError(errors)

    def _remember_submitted_unit_name(self) -> None:
        """Take the unit's current name when the model is filed under a unit: created, or moved to another.

        Afterwards the name stays as it was, however the unit is renamed.
        """
        stored_unit = None
        if self.unit_id and self.submitted_unit_name and self.pk is not None:
            stored_unit = PracticeModel.objects.filter(pk=self.pk).values_list("unit_id", flat=True).first()
        self.take_unit_name(stored_unit_id=stored_unit)

    def take_unit_name(self, *, stored_unit_id: int | None) -> None:
        """Remember the unit's name if the model has none yet or is now filed under another unit than
        `stored_unit_id` (the one in the database); for the bulk writers, which skip save()."""
        if not self.unit_id:
            return
        if not self.submitted_unit_name or stored_unit_id not in (None, self.unit_id):
            self.submitted_unit_name = self.unit.name

    def with_content_json(self, content):
        obj = super().with_content_json(content)
        # The name at submission belongs to the model, not to one revision: revisions saved before
        # the field existed lack it, and publishing one must not blank it out.
        if "submitted_unit_name" not in content and obj.unit_id == self.unit_id:
            obj.submitted_unit_name = self.submitted_unit_name
        return obj

    @property
    def unit_name_differs(self) -> bool:
        """Whether the unit has been renamed since this model was filed under it."""
        return bool(self.unit_id and self.submitted_unit_name and self.submitted_unit_name != self.unit.name)

    def save(self, *args, **kwargs):
        # Keep the denormalised search column in step with what it copies; not a business rule.
        self.search_text = self.build_search_text()
        super().save(*args, **kwargs)

    def build_search_text(self) -> str:
        unit_name = self.unit.name if self.unit_id else ""
        return fold(" ".join(filter(None, [self.title, self.external_id or "", unit_name])))

    def get_url(self, request=None) -> str | None:
        movement_url = self.movement.get_url(request)
        if movement_url is None or not self.slug:
            return None
        return movement_url + self.movement.reverse_subpage("practice_model", kwargs={"slug": self.slug})

    @property
    def url(self):
        return self.get_url()

    def get_full_url(self, request=None) -> str | None:
        full = self.movement.get_full_url(request)
        if full is None or not self.slug:
            return None
        return full + self.movement.reverse_subpage("practice_model", kwargs={"slug": self.slug})

    def get_preview_template(self, request, mode_name):
        return "models_registry/practice_model.html"

    def get_preview_context(self, request, mode_name):
        from .selectors import practice_model_context

        context = super().get_preview_context(request, mode_name)
        context.update(practice_model_context(practice_model=self, preview=True))
        context["page"] = self.movement
        return context


class PracticeModelResult(Orderable):
    """A measured result of a model: a label, a value and its unit of measure."""

    practice_model = ParentalKey(PracticeModel, on_delete=models.CASCADE, related_name="measured_results")
    label = models.CharField(_("indicator"), max_length=255)
    value = models.DecimalField(_("value"), max_digits=16, decimal_places=2)
    unit_of_measure = models.CharField(_("unit of measure"), max_length=50, blank=True)

    panels = [FieldRowPanel([FieldPanel("label"), FieldPanel("value"), FieldPanel("unit_of_measure")])]

    class Meta(Orderable.Meta):
        verbose_name = _("measured result")
        verbose_name_plural = _("measured results")

    def __str__(self):
        return f"{self.label}: {self.value} {self.unit_of_measure}".strip()


class PracticeModelImage(Orderable):
    """A photo in a model's gallery."""

    practice_model = ParentalKey(PracticeModel, on_delete=models.CASCADE, related_name="gallery_images")
    image = models.ForeignKey(
        "wagtailimages.Image", on_delete=models.CASCADE, related_name="+", verbose_name=_("image")
    )
    caption = models.CharField(_("caption"), max_length=500, blank=True)

    panels = [FieldPanel("image"), FieldPanel("caption")]

    class Meta(Orderable.Meta):
        verbose_name = _("photo")
        verbose_name_plural = _("photos")


class PracticeModelAttachment(Orderable):
    """A document attached to a model (a report, a plan, a decision)."""

    practice_model = ParentalKey(PracticeModel, on_delete=models.CASCADE, related_name="attachments")
    document = models.ForeignKey(
        "wagtaildocs.Document", on_delete=models.CASCADE, related_name="+", verbose_name=_("document")
    )
    title = models.CharField(_("title"), max_length=255, blank=True)

    panels = [FieldPanel("document"), FieldPanel("title")]

    class Meta(Orderable.Meta):
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    @property
    def display_title(self):
        return self.title or self.document.title


class Commendation(models.Model):
    """A commendation decision for a model: form, level, decision number and date, issuing body."""

    practice_model = models.ForeignKey(
        PracticeModel, on_delete=models.CASCADE, related_name="commendations", verbose_name=_("practice model")
    )
    form = models.CharField(_("form"), max_length=20, choices=CommendationForm.choices)
    level = models.CharField(_("level"), max_length=20, choices=RecognitionLevel.choices)
    title = models.CharField(
        _("title awarded"),
        max_length=255,
        blank=True,
        help_text=_('For example "Mô hình Dân vận khéo tiêu biểu cấp thành phố năm 2023".'),
    )
    decision_number = models.CharField(_("decision number"), max_length=100, help_text=_("For example 123/QĐ-UBND."))
    decision_date = models.DateField(_("decision date"))
    issuing_body = models.CharField(_("issuing body"), max_length=255)
    decision_document = models.ForeignKey(
        "wagtaildocs.Document",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("scanned decision"),
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    panels = [
        FieldPanel("practice_model"),
        FieldRowPanel([FieldPanel("form"), FieldPanel("level")]),
        FieldPanel("title"),
        FieldRowPanel([FieldPanel("decision_number"), FieldPanel("decision_date")]),
        FieldPanel("issuing_body"),
        FieldPanel("decision_document"),
    ]

    class Meta:
        ordering = ["-decision_date", "-id"]
        verbose_name = _("commendation")
        verbose_name_plural = _("commendations")
        indexes = [
            models.Index(fields=["practice_model", "decision_date"], name="commendation_model_date"),
            # The honour board lists and counts commendations by decision date, newest first.
            models.Index(fields=["-decision_date", "-id"], name="commendation_newest"),
        ]

    def __str__(self):
        return f"{self.get_form_display()} – {self.decision_number}"

    def clean(self):
        super().clean()
        if self.decision_date and self.decision_date > datetime.date.today():
            raise ValidationError({"decision_date": _("The decision date cannot be in the future.")})


from .workflows import UnitReviewTask  # noqa: E402,F401


class UnitChangeKind(models.TextChoices):
    RENAME = "rename", _("Rename")
    MERGE = "merge", _("Merge")
    SPLIT = "split", _("Split")
    MOVE = "move", _("Move / reorganisation")


class UnitChange(models.Model):
    """A dated change to the unit tree: a rename, a merge, a split or a move, with its legal basis.

    The units before and after the change are linked through `UnitChangeLink`, each with the name it
    bore and the unit it hung under at the time. A merge has several predecessors and one successor,
    a split the reverse; a rename or a move links the unit to itself. Statistics for a successor
    count its predecessors' models (selectors.unit_scope_paths). Recorded only through
    services.record_unit_change, which also applies the change (renames, deactivates, moves).
    """

    kind = models.CharField(_("kind of change"), max_length=10, choices=UnitChangeKind.choices)
    effective_date = models.DateField(_("effective date"))
    legal_basis = models.CharField(
        _("legal basis"),
        max_length=500,
        blank=True,
        help_text=_("The decision or resolution, e.g. “Nghị quyết số 1656/NQ-UBTVQH15 ngày 16/6/2025”."),
    )
    note = models.TextField(_("note"), blank=True)
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    class Meta:
        ordering = ["-effective_date", "-id"]
        verbose_name = _("unit change")
        verbose_name_plural = _("unit changes")

    def __str__(self):
        return f"{self.get_kind_display()} – {self.effective_date:%d/%m/%Y}"

    def _names(self, role: str) -> list[str]:
        # Reads the prefetched links when the listing prefetched them.
        return [link.name for link in self.links.all() if link.role == role]

    @property
    def predecessor_names(self) -> list[str]:
        return self._names(UnitChangeLink.Role.PREDECESSOR)

    @property
    def successor_names(self) -> list[str]:
        return self._names(UnitChangeLink.Role.SUCCESSOR)

    def summary(self) -> str:
        """The names before and after the change, as they were: “Phường A, Phường B → Phường C”."""
        return f"{', '.join(self.predecessor_names)} → {', '.join(self.successor_names)}"

    summary.short_description = _("change")


class UnitChangeLink(models.Model):
    """One unit before (predecessor) or after (successor) a change, with its name and parent at the time."""

    class Role(models.TextChoices):
        PREDECESSOR = "predecessor", _("Before the change")
        SUCCESSOR = "successor", _("After the change")

    change = models.ForeignKey(UnitChange, on_delete=models.CASCADE, related_name="links", verbose_name=_("change"))
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="change_links", verbose_name=_("unit"))
    role = models.CharField(_("role"), max_length=12, choices=Role.choices)
    name = models.CharField(_("name at the time"), max_length=255)
    parent = models.ForeignKey(
        Unit,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("parent unit at the time"),
    )

    class Meta:
        ordering = ["change", "role", "id"]
        constraints = [models.UniqueConstraint(fields=["change", "unit", "role"], name="unique_unit_change_link")]
        indexes = [models.Index(fields=["role", "unit"], name="unit_change_link_role")]
        verbose_name = _("unit in a change")
        verbose_name_plural = _("units in a change")

    def __str__(self):
        return f"{self.get_role_display()}: {self.name}"


def private_import_storage():
    """Where uploaded import files are kept: a directory beside MEDIA_ROOT, never served at MEDIA_URL.

    An uploaded spreadsheet may hold unpublished models of many units; only the import screens
    (import_admin.py) read it back. PRIVATE_MEDIA_ROOT overrides the place.
    """
    from pathlib import Path

    from django.core.files.storage import FileSystemStorage

    media_root = Path(settings.MEDIA_ROOT)
    location = getattr(settings, "PRIVATE_MEDIA_ROOT", None) or media_root.with_name(media_root.name + "-private")
    return FileSystemStorage(location=location, base_url=None)


class ImportJob(models.Model):
    """One spreadsheet uploaded in the admin: its preview, its background run and its report.

    The job lives in the database, so an import goes on, and its report stays, whoever closes the
    browser. Changed only through services.import_jobs.
    """

    class Kind(models.TextChoices):
        MODELS = "models", _("Practice models")
        UNITS = "units", _("Units")

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("Uploaded")
        PREVIEWED = "previewed", _("Checked, waiting for confirmation")
        QUEUED = "queued", _("Waiting to run")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/", storage=private_import_storage, max_length=255)
    original_filename = models.CharField(_("file name"), max_length=255)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.MODELS)
    publish = models.BooleanField(_("publish directly"), default=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.UPLOADED)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_done = models.PositiveIntegerField(_("rows done"), default=0)
    created_count = models.PositiveIntegerField(_("created"), default=0)
    updated_count = models.PositiveIntegerField(_("updated"), default=0)
    unchanged_count = models.PositiveIntegerField(_("unchanged"), default=0)
    refused_count = models.PositiveIntegerField(_("refused"), default=0)
    submitted_count = models.PositiveIntegerField(_("submitted for review"), default=0)
    # [{"row": 3, "column": "Năm", "message": "…"}], in the words the service gave, in Vietnamese.
    errors = models.JSONField(_("row errors"), default=list, blank=True)
    warnings = models.JSONField(_("warnings"), default=list, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("spreadsheet import")
        verbose_name_plural = _("spreadsheet imports")
        indexes = [models.Index(fields=["user", "-created_at"], name="import_job_user_newest")]

    def __str__(self):
        return self.original_filename

    @property
    def has_errors(self) -> bool:
        return bool(self.errors)

    @property
    def percent_done(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.rows_total:
            return 0
        return min(100, self.rows_done * 100 // self.rows_total)

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)


class DuplicateFlag(models.Model):
    """A practice model that looks like another one already in the registry (its likely twin).

    Raised on import and when a model is saved in the admin (models_registry.duplicates finds the
    pairs); an officer then links the two as records of different years, merges the newcomer into
    its twin, or keeps them apart (services.duplicates). A pair, in either order, is flagged once:
    a pair kept apart is never flagged again.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        LINKED = "linked", _("Linked as records of different years")
        MERGED = "merged", _("Merged")
        KEPT_APART = "kept_apart", _("Kept apart")

    practice_model = models.ForeignKey(
        PracticeModel, on_delete=models.CASCADE, related_name="duplicate_flags", verbose_name=_("practice model")
    )
    twin = models.ForeignKey(
        PracticeModel, on_delete=models.CASCADE, related_name="twin_flags", verbose_name=_("likely twin")
    )
    # 0–1: how alike the two are (models_registry.duplicates.compare).
    score = models.FloatField(_("similarity"))
    # Space-separated codes ("same_unit similar_title"), shown in words by reason_display().
    reason = models.CharField(_("reason"), max_length=100)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(_("flagged at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("possible duplicate")
        verbose_name_plural = _("possible duplicates")
        constraints = [
            # One flag per pair whichever model came first.
            models.UniqueConstraint(
                models.functions.Least("practice_model", "twin"),
                models.functions.Greatest("practice_model", "twin"),
                name="unique_duplicate_pair",
            ),
            models.CheckConstraint(condition=~models.Q(practice_model=models.F("twin")), name="duplicate_not_self"),
        ]
        indexes = [
            models.Index(fields=["status", "practice_model"], name="duplicate_flag_open"),
            models.Index(fields=["twin", "status"], name="duplicate_flag_twin"),
        ]

    def __str__(self):
        return f"{self.practice_model_id} ~ {self.twin_id}"

    def reason_display(self) -> str:
        from .duplicates import describe_reason

        return describe_reason(self.reason)
