"""Admin wiring of the search app: the editable list of synonyms and abbreviations."""

from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.ui.tables import BooleanColumn
from wagtail.snippets.views.snippets import IndexView, SnippetViewSet

from .models import Synonym
from .text import fold


class SynonymIndexView(IndexView):
    """The listing, searched with or without diacritics ("giai phong" finds "giải phóng mặt bằng")."""

    def search_queryset(self, queryset):
        if not self.is_searching:
            return queryset
        words = fold(self.search_query).split()
        # The list holds a few hundred rows at most: folding them in Python beats a folded column.
        matching = [
            pk
            for pk, terms, note in queryset.values_list("pk", "terms", "note")
            if all(word in fold(f"{terms} {note}") for word in words)
        ]
        return queryset.filter(pk__in=matching)


class SynonymViewSet(SnippetViewSet):
    """Administrators and city editors (the model's Django permissions) edit the list."""

    model = Synonym
    icon = "list-ul"
    menu_label = _("Synonyms and abbreviations")
    add_to_settings_menu = True
    index_view_class = SynonymIndexView
    list_display = ["terms", "note", BooleanColumn("is_active", label=_("in use"))]
    list_filter = ["is_active"]
    search_fields = ["terms", "note"]
    ordering = ["terms"]
    list_per_page = 50
    copy_view_enabled = False


@hooks.register("register_admin_viewset")
def register_synonym_viewset():
    return SynonymViewSet()
