"""Vietnamese text folding, shared by slugs, header matching and the database search.

Unicode decomposition strips the tone and vowel marks (ệ -> e) but leaves đ/Đ alone,
because đ is a letter of its own, not d with a mark: it is mapped explicitly.
"""

import re
import unicodedata

from django.utils.text import slugify

_D_MAP = str.maketrans({"đ": "d", "Đ": "D"})
_NON_WORD = re.compile(r"[^\w]+", re.UNICODE)


def fold(text: str) -> str:
    """Lower-case `text` and remove Vietnamese diacritics, đ included: "Đống Đa" -> "dong da"."""
    decomposed = unicodedata.normalize("NFD", (text or "").translate(_D_MAP))
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return unicodedata.normalize("NFC", stripped).lower()


def fold_key(text: str) -> str:
    """A comparison key that ignores case, diacritics, spaces and punctuation."""
    return _NON_WORD.sub("", fold(text)).replace("_", "")


def normalise_spaces(text: str) -> str:
    return " ".join((text or "").split())


def vietnamese_slugify(text: str, max_length: int = 80) -> str:
    """An ASCII slug for a Vietnamese title: "Dân vận khéo ở Đông Anh" -> "dan-van-kheo-o-dong-anh"."""
    slug = slugify(fold(text))
    return slug[:max_length].strip("-")
