"""Keeping spreadsheet formulas out of exported cells, reversibly (CSV and formula injection, OWASP).

A text cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return may be run as a
formula by Excel or LibreOffice when the file is opened; the export puts an apostrophe in front
of it. The import takes that apostrophe off again, so a file exported and re-imported changes
nothing. To keep the two exact inverses, a text that already starts with apostrophes followed by
one of those characters gets one more apostrophe (an escaped escape).

Lives in its own module because both the export (exports.py) and the import
(services/imports.py) use it and neither should import the other.
"""

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"


def _needs_quote(text: str) -> bool:
    # Apostrophes followed by a formula character: "=1", "'=1", "''=1"… but not "'abc".
    return text.lstrip(QUOTE).startswith(FORMULA_PREFIXES)


def neutralise(value):
    """The value to write in a cell: text that could start a formula gains a leading apostrophe.

    Numbers, dates and None are returned unchanged: they stay numbers in the spreadsheet.
    """
    if isinstance(value, str) and _needs_quote(value):
        return QUOTE + value
    return value


def restore(text: str) -> str:
    """The inverse of `neutralise` for a text read back from a cell."""
    if text.startswith(QUOTE) and _needs_quote(text[1:]):
        return text[1:]
    return text
