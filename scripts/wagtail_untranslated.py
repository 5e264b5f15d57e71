"""List the Wagtail admin strings that Wagtail's own Vietnamese catalogue leaves untranslated.

For each Wagtail app catalogue (domain "django"), every msgid of the "en" catalogue that has no
non-empty, non-fuzzy msgstr in the "vi" catalogue is printed, or written as a .po worklist with
``--po FILE`` (one file per app with ``--po-dir DIR``). ``--project`` also drops the entries the
project's fragments (site/locale/vi/fragments/*.po) already translate.

    python scripts/wagtail_untranslated.py [--app admin] [--project] [--po-dir /tmp/worklist]
"""

import argparse
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
FRAGMENTS = ROOT / "site" / "locale" / "vi" / "fragments"

# app label -> locale directory relative to the wagtail package
APPS = {
    "core": "locale",
    "admin": "admin/locale",
    "snippets": "snippets/locale",
    "images": "images/locale",
    "documents": "documents/locale",
    "users": "users/locale",
    "sites": "sites/locale",
    "locales": "locales/locale",
    "settings": "contrib/settings/locale",
    "redirects": "contrib/redirects/locale",
    "search": "search/locale",
    "embeds": "embeds/locale",
}


def wagtail_dir() -> Path:
    import wagtail

    return Path(wagtail.__file__).resolve().parent


def catalogue(app: str, language: str) -> polib.POFile | None:
    path = wagtail_dir() / APPS[app] / language / "LC_MESSAGES" / "django.po"
    return polib.pofile(str(path), wrapwidth=0) if path.exists() else None


def is_translated(entry: polib.POEntry) -> bool:
    if "fuzzy" in entry.flags or entry.obsolete:
        return False
    if entry.msgid_plural:
        return any(entry.msgstr_plural.values())
    return bool(entry.msgstr)


def project_translations() -> set[tuple[str, str | None]]:
    done = set()
    for fragment in sorted(FRAGMENTS.glob("*.po")):
        for entry in polib.pofile(str(fragment)):
            if is_translated(entry):
                done.add((entry.msgid, entry.msgctxt))
    return done


def untranslated(app: str, skip: set[tuple[str, str | None]] = frozenset()) -> list[polib.POEntry]:
    english = catalogue(app, "en")
    if english is None:
        return []
    vietnamese = catalogue(app, "vi")
    done = {(e.msgid, e.msgctxt) for e in vietnamese if is_translated(e)} if vietnamese else set()
    missing = []
    for entry in english:
        if entry.obsolete or not entry.msgid:
            continue
        key = (entry.msgid, entry.msgctxt)
        if key in done or key in skip:
            continue
        missing.append(entry)
    return missing


def worklist(entries: list[polib.POEntry]) -> polib.POFile:
    po = polib.POFile(wrapwidth=0)
    po.metadata = {
        "Language": "vi",
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
        "Plural-Forms": "nplurals=1; plural=0;",
    }
    for entry in entries:
        po.append(
            polib.POEntry(
                msgid=entry.msgid,
                msgctxt=entry.msgctxt,
                msgid_plural=entry.msgid_plural,
                msgstr="",
                msgstr_plural={0: ""} if entry.msgid_plural else {},
                comment="wagtail-admin",
                flags=[f for f in entry.flags if f.endswith("-format")],
            )
        )
    return po


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--app", action="append", choices=sorted(APPS), help="limit to these apps")
    parser.add_argument("--project", action="store_true", help="skip what the fragments already translate")
    parser.add_argument("--po-dir", type=Path, help="write one worklist .po per app into this directory")
    parser.add_argument("--count", action="store_true", help="print only the counts per app")
    args = parser.parse_args()

    skip = project_translations() if args.project else set()
    total = 0
    for app in args.app or APPS:
        entries = untranslated(app, skip)
        total += len(entries)
        if args.po_dir:
            args.po_dir.mkdir(parents=True, exist_ok=True)
            worklist(entries).save(str(args.po_dir / f"{app}.po"))
        if args.count or args.po_dir:
            sys.stdout.write(f"{app}: {len(entries)}\n")
            continue
        for entry in entries:
            context = f"[{entry.msgctxt}] " if entry.msgctxt else ""
            plural = f" | {entry.msgid_plural!r}" if entry.msgid_plural else ""
            sys.stdout.write(f"{app}\t{context}{entry.msgid!r}{plural}\n")
    if args.count or args.po_dir:
        sys.stdout.write(f"total: {total}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
