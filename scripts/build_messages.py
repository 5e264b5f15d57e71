"""Rebuild the Vietnamese catalogue: extract strings, fill translations from the fragments, compile.

The project's strings are extracted into site/locale/vi/LC_MESSAGES/django.po by makemessages.
Translations live in that file; `site/locale/vi/fragments/*.po` hold translations written
alongside new code (and Wagtail admin strings Wagtail's own catalogue lacks) and fill any
entry that is still empty. Run through `make messages`.
"""

import subprocess
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "site" / "locale" / "vi" / "LC_MESSAGES"
FRAGMENTS = ROOT / "site" / "locale" / "vi" / "fragments"
PYTHON = sys.executable


def run(*args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, check=True)  # noqa: S603 - our own manage.py


def main() -> int:
    run(
        "makemessages",
        "-l",
        "vi",
        "--no-obsolete",
        "--add-location=file",
        "--ignore=.venv/*",
        "--ignore=tests/*",
        "--ignore=benchmarks/*",
        "--ignore=scripts/*",
        "--ignore=static_collected/*",
        "--ignore=media/*",
    )
    catalogue_path = LOCALE / "django.po"
    catalogue = polib.pofile(str(catalogue_path), wrapwidth=0)
    known: dict[tuple[str, str | None], polib.POEntry] = {}
    for fragment in sorted(FRAGMENTS.glob("*.po")):
        for entry in polib.pofile(str(fragment)):
            if entry.msgstr or entry.msgstr_plural:
                known[(entry.msgid, entry.msgctxt)] = entry
    present = set()
    for entry in catalogue:
        present.add((entry.msgid, entry.msgctxt))
        if "fuzzy" in entry.flags:
            # A fuzzy entry is msgmerge's guess from another string: never keep it, plural forms included.
            entry.flags.remove("fuzzy")
            entry.msgstr = ""
            if entry.msgid_plural:
                entry.msgstr_plural = dict.fromkeys(entry.msgstr_plural or {0: ""}, "")
        source = known.get((entry.msgid, entry.msgctxt))
        if source is None:
            continue
        if entry.msgid_plural:
            if not any(entry.msgstr_plural.values()):
                entry.msgstr_plural = dict(source.msgstr_plural) or {0: source.msgstr}
        elif not entry.msgstr:
            entry.msgstr = source.msgstr
    # Strings of Wagtail's admin that Wagtail's own catalogue lacks are not in our source code,
    # so makemessages does not see them: carry them over from the fragments.
    for key, source in known.items():
        if key not in present and "wagtail-admin" in (source.comment or ""):
            catalogue.append(
                polib.POEntry(
                    msgid=source.msgid,
                    msgctxt=source.msgctxt,
                    msgid_plural=source.msgid_plural,
                    msgstr=source.msgstr,
                    msgstr_plural=dict(source.msgstr_plural),
                    comment=source.comment,
                )
            )
    catalogue.metadata.update(
        {"Language": "vi", "Plural-Forms": "nplurals=1; plural=0;", "Content-Type": "text/plain; charset=UTF-8"}
    )
    catalogue.save(str(catalogue_path))
    missing = [e.msgid for e in catalogue if not e.translated() and not e.obsolete]
    run("compilemessages", "-l", "vi", "--ignore=.venv/*")
    if missing:
        sys.stderr.write(f"{len(missing)} strings still untranslated:\n")
        for msgid in missing:
            sys.stderr.write(f"  {msgid!r}\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
