"""The rich-text editor's widget, made safe against a malformed post.

Draftail posts its content as contentstate JSON, which Wagtail converts to HTML while the form reads
its data; a post that is not valid contentstate (a broken script, a hand-made request) makes that
conversion raise, and the request would end in a 500 before any validation runs. This widget reads
such a post as plain text instead: the text is kept, escaped, one paragraph per line, and the editor
shows it back for the officer to format again. Nothing is lost and nothing in it can run.
"""

import logging

from django.utils.html import escape

from wagtail.admin.rich_text import DraftailRichTextArea

logger = logging.getLogger(__name__)


def plain_text_paragraphs(text: str) -> str:
    """`text` as escaped HTML paragraphs, one per non-blank line."""
    return "".join(f"<p>{escape(line.strip())}</p>" for line in text.splitlines() if line.strip())


class TolerantDraftailRichTextArea(DraftailRichTextArea):
    """Draftail, reading content it cannot convert as plain text rather than failing the request."""

    def value_from_datadict(self, data, files, name):
        try:
            return super().value_from_datadict(data, files, name)
        except (ValueError, TypeError, AttributeError, KeyError, IndexError):
            raw = data.get(name)
            logger.warning("Malformed rich text posted in %s: kept as plain text", name)
            return plain_text_paragraphs(raw if isinstance(raw, str) else "")
