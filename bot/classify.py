"""Recognise petitions and campaigns among shared links.

`classify` is pure: it looks at an already normalised URL and already folded hashtag keys, and
returns `"link"`, `"petition"` or `"campaign"`. Petitions and campaigns are then announced to the
channels that subscribed to them, so a false positive costs every subscriber a message: the
defaults only claim what they are sure of.

Precedence, when signals disagree:

1. **URL rules first.** The first rule whose host and path match decides, whatever the tags say:
   a change.org petition tagged ``#campagne`` is a petition, a Mobilizon event tagged
   ``#petition`` is a campaign, and a rule of kind ``"link"`` (an operator's exception) keeps a
   link plain. An operator's rules are tried before the defaults they extend.
2. **Then a petition tag**, even next to a campaign tag: a petition is the more specific call
   (sign here); a campaign tag beside it only says which campaign it serves.
3. **Then a campaign tag.**
4. **Otherwise a plain link.**

URL rules apply to ``http`` and ``https`` URLs only. A rule's host matches itself and its
subdomains, label by label (``change.org`` matches ``www.change.org``, never ``notchange.org``
nor ``change.org.evil.com``); its path prefix or regular expression ignores case and sees the
percent-decoded path.

The rules are data: ``bot/data/recognition.toml`` holds the defaults and documents the format;
an operator's file (``VEILLE_RULES_FILE``) extends or replaces them, see `load_rules`.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache, cached_property
from importlib.resources import files
from pathlib import Path
from typing import Literal, get_args
from urllib.parse import unquote, urlsplit

from bot.folding import fold_key

Kind = Literal["link", "petition", "campaign"]

KINDS: tuple[Kind, ...] = get_args(Kind)
DEFAULT_RULES_SOURCE = "bot/data/recognition.toml"

_TOP_LEVEL_KEYS = ("extend", "tags", "url_rules")
_TAG_KINDS = ("petition", "campaign")
_RULE_KEYS = ("host", "kind", "path_prefix", "path_regex")
# Letters, digits and hyphens in dot-separated labels; at least two labels.
_HOST_PATTERN = re.compile(
    r"(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]*[a-z0-9])?"
)


class RulesFileError(Exception):
    """A rules file cannot be used; the message names the file, the key and what is wrong."""

    def __init__(self, source: str, key: str | None, problem: str) -> None:
        self.source = source
        self.key = key
        self.problem = problem
        where = f"{source}: {key}: " if key else f"{source}: "
        super().__init__(where + problem)


@dataclass(frozen=True)
class UrlRule:
    """Links on `host` (or a subdomain) whose path matches are of `kind`."""

    host: str
    kind: Kind
    path_prefix: str | None = None
    path_regex: re.Pattern[str] | None = None

    def matches(self, host: str, path: str) -> bool:
        """Whether a lower-case host and a percent-decoded path fall under this rule."""
        if host != self.host and not host.endswith("." + self.host):
            return False
        if self.path_prefix is not None:
            return path.casefold().startswith(self.path_prefix.casefold())
        if self.path_regex is not None:
            return self.path_regex.search(path) is not None
        return True


@dataclass(frozen=True)
class RecognitionRules:
    """Everything `classify` needs; immutable, built once at start-up."""

    petition_tags: frozenset[str]
    campaign_tags: frozenset[str]
    url_rules: tuple[UrlRule, ...]

    @cached_property
    def rules_by_host(self) -> dict[str, tuple[tuple[int, UrlRule], ...]]:
        """Each rule under its host, with its rank: a link only tries the rules of its host."""
        index: dict[str, list[tuple[int, UrlRule]]] = {}
        for rank, rule in enumerate(self.url_rules):
            index.setdefault(rule.host, []).append((rank, rule))
        return {host: tuple(rules) for host, rules in index.items()}


def classify(url: str, tag_keys: Iterable[str], rules: RecognitionRules) -> Kind:
    """Say whether a shared link is a plain link, a petition or a campaign (see module doc)."""
    by_url = _kind_from_url(url, rules)
    if by_url is not None:
        return by_url
    tags = frozenset(tag_keys)
    if not tags.isdisjoint(rules.petition_tags):
        return "petition"
    if not tags.isdisjoint(rules.campaign_tags):
        return "campaign"
    return "link"


def _kind_from_url(url: str, rules: RecognitionRules) -> Kind | None:
    host = _plain_host(url)
    if host is not None and not _rules_for(host, rules):
        return None  # the common case: no rule names this site, no need to parse the path
    host_and_path = _host_and_path(url)
    if host_and_path is None:
        return None
    host, path = host_and_path
    candidates = _rules_for(host, rules)
    return next((rule.kind for _, rule in candidates if rule.matches(host, path)), None)


def _rules_for(host: str, rules: RecognitionRules) -> list[tuple[int, UrlRule]]:
    """The rules of this host and of its parent domains, in the order they were written."""
    labels = host.split(".")
    by_host = rules.rules_by_host
    return sorted(
        ranked
        for start in range(len(labels))
        for ranked in by_host.get(".".join(labels[start:]), ())
    )


def _plain_host(url: str) -> str | None:
    """The host of an already normalised http(s) URL, without parsing it; else None."""
    scheme, sep, rest = url.partition("://")
    if not sep or scheme not in ("http", "https"):
        return None
    authority = rest.split("/", 1)[0]
    if not authority or not authority.isascii() or authority != authority.lower():
        return None
    if any(char in authority for char in "@[]%?#\\"):
        return None
    return authority.partition(":")[0].rstrip(".")


def _host_and_path(url: str) -> tuple[str, str] | None:
    try:
        parts = urlsplit(url.strip())
    except ValueError:  # e.g. an unbalanced "[" in the host: no host to match, tags still count
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return parts.hostname.rstrip("."), unquote(parts.path, errors="replace") or "/"


# --- Loading ----------------------------------------------------------------------------------


@cache
def default_rules() -> RecognitionRules:
    """The rules shipped in ``bot/data/recognition.toml``."""
    text = files("bot").joinpath("data", "recognition.toml").read_text(encoding="utf-8")
    document = _parse_toml(text, DEFAULT_RULES_SOURCE)
    return _rules_from_document(document, DEFAULT_RULES_SOURCE)


def load_rules(path: Path | None) -> RecognitionRules:
    """The default rules, extended or replaced by the operator's file at `path`, if any.

    The file has the default file's format plus ``extend = true|false`` (default ``true``).
    Extending puts the operator's URL rules before the defaults and adds their tags; a tag they
    list under one kind is removed from the other. Raises `RulesFileError` on any problem.
    """
    defaults = default_rules()
    if path is None:
        return defaults
    source = str(path)
    document = _parse_toml(_read_text(path), source)
    operator_rules = _rules_from_document(document, source)
    if _extend_flag(document, source):
        return _extend(defaults, operator_rules)
    return operator_rules


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise RulesFileError(str(path), None, f"is not UTF-8 text ({error.reason})") from None
    except OSError as error:
        raise RulesFileError(str(path), None, f"cannot be read: {error.strerror}") from None


def _parse_toml(text: str, source: str) -> dict[str, object]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:  # its message ends with "(at line L, column C)"
        raise RulesFileError(source, None, f"is not valid TOML: {error}") from None


def _extend_flag(document: Mapping[str, object], source: str) -> bool:
    extend = document.get("extend", True)
    if not isinstance(extend, bool):
        raise RulesFileError(source, "extend", f"must be true or false, not {extend!r}")
    return extend


def _extend(defaults: RecognitionRules, extra: RecognitionRules) -> RecognitionRules:
    return RecognitionRules(
        petition_tags=(defaults.petition_tags - extra.campaign_tags) | extra.petition_tags,
        campaign_tags=(defaults.campaign_tags - extra.petition_tags) | extra.campaign_tags,
        url_rules=extra.url_rules + defaults.url_rules,
    )


def _rules_from_document(document: Mapping[str, object], source: str) -> RecognitionRules:
    _reject_unknown_keys(document, _TOP_LEVEL_KEYS, source, key=None, what="top-level key")
    petition_tags, campaign_tags = _tags_from(document.get("tags", {}), source)
    return RecognitionRules(
        petition_tags=petition_tags,
        campaign_tags=campaign_tags,
        url_rules=_url_rules_from(document.get("url_rules", []), source),
    )


def _reject_unknown_keys(
    table: Mapping[str, object], allowed: tuple[str, ...], source: str, key: str | None, what: str
) -> None:
    unknown = sorted(set(table) - set(allowed))
    if unknown:
        expected = ", ".join(f'"{name}"' for name in allowed)
        raise RulesFileError(source, key, f'unknown {what} "{unknown[0]}"; expected {expected}')


def _tags_from(section: object, source: str) -> tuple[frozenset[str], frozenset[str]]:
    if not isinstance(section, dict):
        raise RulesFileError(source, "tags", "must be a table: write [tags]")
    _reject_unknown_keys(section, _TAG_KINDS, source, key="[tags]", what="kind of tag")
    petition = _tag_keys(section.get("petition", []), source, "tags.petition")
    campaign = _tag_keys(section.get("campaign", []), source, "tags.campaign")
    both = sorted(petition & campaign)
    if both:
        raise RulesFileError(
            source, "tags", f'"{both[0]}" is both a petition and a campaign tag; keep one'
        )
    return petition, campaign


def _tag_keys(values: object, source: str, key: str) -> frozenset[str]:
    if not isinstance(values, list):
        raise RulesFileError(source, key, 'must be a list of hashtags, e.g. ["petition"]')
    return frozenset(_tag_key(value, source, key) for value in values)


def _tag_key(value: object, source: str, key: str) -> str:
    if not isinstance(value, str):
        raise RulesFileError(source, key, f"hashtags are strings in quotes, not {value!r}")
    folded = fold_key(value.strip().lstrip("#"))
    if not folded or any(character.isspace() for character in folded):
        raise RulesFileError(source, key, f"{value!r} is not a hashtag (empty or with spaces)")
    return folded


def _url_rules_from(entries: object, source: str) -> tuple[UrlRule, ...]:
    if not isinstance(entries, list) or not all(isinstance(entry, dict) for entry in entries):
        raise RulesFileError(source, "url_rules", "must be blocks written [[url_rules]]")
    return tuple(
        _url_rule(entry, source, f"[[url_rules]] #{number}")
        for number, entry in enumerate(entries, start=1)
    )


def _url_rule(entry: Mapping[str, object], source: str, key: str) -> UrlRule:
    _reject_unknown_keys(entry, _RULE_KEYS, source, key=key, what="key")
    if "path_prefix" in entry and "path_regex" in entry:
        raise RulesFileError(source, key, "give path_prefix or path_regex, not both")
    host = _host(entry.get("host"), source, key)
    key = f'{key} (host "{host}")'
    return UrlRule(
        host=host,
        kind=_kind(entry.get("kind"), source, key),
        path_prefix=_path_prefix(entry.get("path_prefix"), source, key),
        path_regex=_path_regex(entry.get("path_regex"), source, key),
    )


def _host(value: object, source: str, key: str) -> str:
    if value is None:
        raise RulesFileError(source, key, 'missing "host", e.g. host = "change.org"')
    if not isinstance(value, str):
        raise RulesFileError(source, f"{key} host", f"must be a string, not {value!r}")
    host = value.strip().lower().rstrip(".")
    if "://" in host or "/" in host:
        problem = "write the bare host name, without scheme or path (put the path in path_prefix)"
        raise RulesFileError(source, f"{key} host", f"{value!r}: {problem}")
    if host.startswith("*."):
        problem = f'subdomains are always included: write "{host[2:]}"'
        raise RulesFileError(source, f"{key} host", f"{value!r}: {problem}")
    if not _HOST_PATTERN.fullmatch(host):
        problem = "is not a host name like change.org (internationalised names: use xn-- form)"
        raise RulesFileError(source, f"{key} host", f"{value!r} {problem}")
    return host


def _kind(value: object, source: str, key: str) -> Kind:
    expected = ", ".join(f'"{kind}"' for kind in KINDS)
    if value is None:
        raise RulesFileError(source, key, f'missing "kind"; expected one of {expected}')
    for kind in KINDS:
        if value == kind:
            return kind
    raise RulesFileError(source, f"{key} kind", f"unknown kind {value!r}; expected {expected}")


def _path_prefix(value: object, source: str, key: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.startswith("/"):
        raise RulesFileError(source, f"{key} path_prefix", f'must start with "/", not {value!r}')
    return value


def _path_regex(value: object, source: str, key: str) -> re.Pattern[str] | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise RulesFileError(source, f"{key} path_regex", f"must be a string, not {value!r}")
    try:
        return re.compile(value, re.IGNORECASE)
    except re.error as error:
        problem = f"{value!r} is not a valid regular expression: {error}"
        raise RulesFileError(source, f"{key} path_regex", problem) from None
