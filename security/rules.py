"""Which requests a rate limit applies to: `RATELIMIT_RULES` read into `Rule`s.

Each rule names path prefixes, optionally the methods it counts, and a rate ("300/m"); the first
rule whose prefix and method match a request is the one that counts it, so a narrow rule (the
exports) goes before the broad one that contains it (the whole API). A rule whose rate is empty,
"0" or "off" limits nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from .services import Rate


@dataclass(frozen=True)
class Rule:
    name: str
    prefixes: tuple[str, ...]
    methods: frozenset[str] | None  # None: every method
    rate: Rate | None

    def matches(self, path: str, method: str) -> bool:
        return path.startswith(self.prefixes) and (self.methods is None or method in self.methods)


def parse_rules(entries) -> list[Rule]:
    """`RATELIMIT_RULES` as Rules; ValueError naming the bad entry."""
    rules = []
    for entry in entries or ():
        try:
            name = str(entry["name"])
            prefixes = tuple(entry["prefixes"])
            methods = entry.get("methods")
            rate = Rate.parse(entry.get("rate", ""))
        except (KeyError, TypeError, AttributeError, ValueError) as error:
            raise ValueError(f"RATELIMIT_RULES: bad entry {entry!r}: {error}") from error
        if not prefixes or not all(isinstance(prefix, str) and prefix.startswith("/") for prefix in prefixes):
            raise ValueError(f"RATELIMIT_RULES: {name}: prefixes must be paths starting with '/'")
        rules.append(
            Rule(
                name=name,
                prefixes=prefixes,
                methods=frozenset(method.upper() for method in methods) if methods else None,
                rate=rate,
            )
        )
    return rules


_parsed: tuple[object, list[Rule]] | None = None


def current_rules() -> list[Rule]:
    """The rules of the current settings, parsed once per settings object (tests override them)."""
    global _parsed
    entries = getattr(settings, "RATELIMIT_RULES", ())
    if _parsed is None or _parsed[0] is not entries:
        _parsed = (entries, parse_rules(entries))
    return _parsed[1]


def rule_for(path: str, method: str) -> Rule | None:
    """The first rule that counts a request to `path` with `method`."""
    for rule in current_rules():
        if rule.matches(path, method):
            return rule
    return None
