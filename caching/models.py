"""The content generation that every cached public page is keyed by (see caching/public_pages.py)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ContentGeneration(models.Model):
    """One row: a random token replaced by every change to what the public pages show.

    It lives in the database, not in the cache, so that every gunicorn worker (each with its own
    local-memory cache unless REDIS_URL is set) sees a publish at once: a page cached under the old
    token is never read again. A random token rather than a counter, as for the search index's
    SearchIndexState: a rolled-back change leaves the token it replaced, and the next change can
    never land on a token a reader has already cached a page under.
    """

    token = models.BigIntegerField(_("token"), default=0)

    class Meta:
        verbose_name = _("content generation")
        verbose_name_plural = _("content generations")

    def __str__(self):
        return str(self.token)
