"""The /search query language, parsed by a pure function that never raises.

    reconnaissance faciale          every word must match (accents and case ignored)
    "conseil d'état"                an exact phrase (« … » and “ … ” work too)
    vsa OR biométrie                either word (also `OU`, `|`)
    -drone                          exclude a word (or -"a phrase", -#tag)
    surveil*                        a prefix (3 letters at least)
    #cnil                           a hashtag, folded like stored tags
    from:@alice  from:alice         shared by a username, or by a display name (par: too)
    site:lemonde.fr                 a site and its subdomains
    since:2024-01-01  until:2024-03 dates (YYYY, YYYY-MM, YYYY-MM-DD, DD/MM/YYYY; UTC)
    kind:petition                   link, petition or campaign (pétition, campagne)

Every word reaches FTS5 as a quoted string, so nothing a user types (column names, NEAR, `*`,
`:`, parentheses, SQL) is FTS5 syntax; what cannot be understood lands in `ignored`. French
elisions are split off bare words (`l'État` searches `État`): the tokenizer splits the indexed
`l’État` into `l` and `etat` too.
"""

from __future__ import annotations

import re
import unicodedata
from calendar import monthrange
from dataclasses import dataclass, field
from datetime import UTC, datetime

from bot.folding import fold_key

MAX_QUERY_CHARS = 400
MAX_TERMS = 16
MIN_PREFIX_CHARS = 3
KINDS = {"link": "link", "lien": "link", "petition": "petition", "campaign": "campaign"}
KINDS |= {"campagne": "campaign", "pétition": "petition", "petitions": "petition"}
FILTER_KEYS = {
    "from": "from",
    "par": "from",
    "site": "site",
    "since": "since",
    "depuis": "since",
    "until": "until",
    "jusqua": "until",
    "kind": "kind",
    "type": "kind",
}
OR_WORDS = frozenset({"OR", "OU", "|"})
QUOTES = {'"': '"', "«": "»", "“": "”", "„": "“"}
_ELISION = re.compile(r"^(?:[ldjmnstc]|qu|jusqu|lorsqu|puisqu|quoiqu)['’ʼ]", re.IGNORECASE)
_SITE = re.compile(r"^(?:https?://)?([^/?#\s]+)")
_DOMAIN = re.compile(r"^[a-z0-9-]+(?:\.[a-z0-9-]+)*$")
_USERNAME = re.compile(r"^[A-Za-z0-9_]{2,32}$")


@dataclass(frozen=True, slots=True)
class Term:
    """One thing to match: a word, a phrase, a prefix or a tag."""

    text: str  # words as typed (tags: the folded key)
    kind: str = "word"  # word, phrase, prefix, tag

    @property
    def fts(self) -> str:
        quoted = '"' + self.text.replace('"', "") + '"'
        if self.kind == "tag":
            return f"tags_text:{quoted}"
        return quoted + " *" if self.kind == "prefix" else quoted


@dataclass(frozen=True, slots=True)
class PersonFilter:
    value: str
    by_username: bool


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """A parsed query: what FTS5 matches, and the filters applied around it."""

    groups: tuple[tuple[Term, ...], ...] = ()  # AND of ORs
    excluded: tuple[Term, ...] = ()
    people: tuple[PersonFilter, ...] = ()
    sites: tuple[str, ...] = ()
    since: int | None = None
    until: int | None = None  # exclusive
    kinds: tuple[str, ...] = ()
    ignored: tuple[str, ...] = ()

    @property
    def tags(self) -> tuple[str, ...]:
        """Required tags (folded keys): a group of one tag."""
        return tuple(g[0].text for g in self.groups if len(g) == 1 and g[0].kind == "tag")

    @property
    def match(self) -> str:
        """The FTS5 expression the words must match ('' when there are none)."""
        clauses = [_or(group) for group in self.groups]
        if self.sites:
            clauses.append("(" + " OR ".join(_site_fts(site) for site in self.sites) + ")")
        return " AND ".join(clauses)

    @property
    def exclude(self) -> str:
        """The FTS5 expression no result may match ('' when nothing is excluded)."""
        return " OR ".join(term.fts for term in self.excluded)

    @property
    def is_empty(self) -> bool:
        return not (self.match or self.exclude or self.has_filters)

    @property
    def has_filters(self) -> bool:
        return bool(self.people or self.sites or self.kinds) or (
            self.since is not None or self.until is not None
        )


def _or(group: tuple[Term, ...]) -> str:
    if len(group) == 1:
        return group[0].fts
    return "(" + " OR ".join(term.fts for term in group) + ")"


def _site_fts(site: str) -> str:
    return 'domain:"' + " ".join(site.split(".")) + '"'


def scoped_match(query: SearchQuery, chat_token: str) -> str:
    """The whole FTS5 expression for one chat: its token, the words, the exclusions."""
    expression = f'chat_token:"{chat_token}"'
    if query.match:
        expression += f" AND ({query.match})"
    if query.exclude:
        expression += f" NOT ({query.exclude})"
    return expression


@dataclass
class _Builder:
    groups: list[list[Term]] = field(default_factory=list)
    excluded: list[Term] = field(default_factory=list)
    people: list[PersonFilter] = field(default_factory=list)
    sites: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    since: int | None = None
    until: int | None = None
    pending_or: bool = False

    def count(self) -> int:
        return sum(len(group) for group in self.groups) + len(self.excluded)

    def add(self, term: Term | None, negated: bool, raw: str) -> None:
        if term is None or self.count() >= MAX_TERMS:
            self.ignored.append(raw)
        elif negated:
            self.excluded.append(term)
            self.pending_or = False
        elif self.pending_or and self.groups:
            self.groups[-1].append(term)
            self.pending_or = False
        else:
            self.groups.append([term])
            self.pending_or = False


def parse_query(text: str | None) -> SearchQuery:
    """The query a user typed, as terms and filters. Never raises."""
    builder = _Builder()
    for raw, quoted in _tokens(_printable((text or "")[:MAX_QUERY_CHARS])):
        if quoted is not None:
            negated = raw.startswith("-")
            builder.add(_phrase(quoted), negated, raw)
        elif raw in OR_WORDS:
            builder.pending_or = bool(builder.groups)
        elif raw.upper() == "AND":
            continue
        else:
            _word(builder, raw)
    return SearchQuery(
        groups=tuple(tuple(group) for group in builder.groups),
        excluded=tuple(builder.excluded),
        people=tuple(dict.fromkeys(builder.people)),
        sites=tuple(dict.fromkeys(builder.sites)),
        since=builder.since,
        until=builder.until,
        kinds=tuple(dict.fromkeys(builder.kinds)),
        ignored=tuple(builder.ignored),
    )


def _printable(text: str) -> str:
    """Control characters separate words; invisible format characters (soft hyphens) go."""
    kept = []
    for char in text:
        category = unicodedata.category(char)
        kept.append(" " if category == "Cc" else "" if category == "Cf" else char)
    return "".join(kept)


def _tokens(text: str) -> list[tuple[str, str | None]]:
    """(raw, phrase or None) pairs: whitespace separates, quotes group (unbalanced: to the end)."""
    tokens: list[tuple[str, str | None]] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char.isspace():
            index += 1
            continue
        negated = char == "-" and index + 1 < len(text) and text[index + 1] in QUOTES
        start = index + 1 if negated else index
        if text[start] in QUOTES:
            close = text.find(QUOTES[text[start]], start + 1)
            end = len(text) if close < 0 else close
            tokens.append((text[index : end + 1], text[start + 1 : end]))
            index = end + 1
            continue
        end = index
        while end < len(text) and not text[end].isspace():
            end += 1
        tokens.append((text[index:end], None))
        index = end
    return tokens


def _word(builder: _Builder, raw: str) -> None:
    key, sep, value = raw.partition(":")
    name = FILTER_KEYS.get(fold_key(key).replace("'", "").replace("’", ""))
    if sep and name is not None:
        if not _apply_filter(builder, name, value.strip()):
            builder.ignored.append(raw)
        return
    negated = raw.startswith("-") and len(raw) > 1
    body = raw[1:] if negated else raw
    if body.startswith("#"):
        key = fold_key(body.lstrip("#"))
        builder.add(Term(key, "tag") if _has_token(key) else None, negated, raw)
        return
    builder.add(_bare(body), negated, raw)


def _bare(body: str) -> Term | None:
    prefix = body.endswith("*")
    text = _ELISION.sub("", body.strip("*"))
    if not _has_token(text):
        return None
    if prefix and sum(ch.isalnum() for ch in text) >= MIN_PREFIX_CHARS:
        return Term(text, "prefix")
    return Term(text)


def _phrase(text: str) -> Term | None:
    return Term(" ".join(text.split()), "phrase") if _has_token(text) else None


def _has_token(text: str) -> bool:
    """Whether FTS5's unicode61 tokenizer finds a token: letters or digits."""
    return any(ch.isalnum() for ch in text)


def _apply_filter(builder: _Builder, name: str, value: str) -> bool:
    if name == "from":
        person = parse_person(value)
        builder.people += [person] if person else []
        return person is not None
    if name == "site":
        site = parse_site(value)
        builder.sites += [site] if site else []
        return site is not None
    if name == "kind":
        kind = KINDS.get(fold_key(value)) or KINDS.get(value.lower())
        builder.kinds += [kind] if kind else []
        return kind is not None
    span = parse_date(value)
    if span is None:
        return False
    if name == "since":
        builder.since = span[0]
    else:
        builder.until = span[1]
    return True


def parse_person(value: str) -> PersonFilter | None:
    if value.startswith("@"):
        name = value[1:]
        return PersonFilter(name.lower(), True) if _USERNAME.match(name) else None
    folded = fold_key(value.replace("_", " "))
    return PersonFilter(folded, False) if _has_token(folded) else None


def parse_site(value: str) -> str | None:
    """`lemonde.fr`, `www.lemonde.fr`, `https://lemonde.fr/x` -> `lemonde.fr`."""
    found = _SITE.match(value.strip().lower())
    if not found:
        return None
    host = found.group(1).rsplit("@", 1)[-1].split(":", 1)[0].strip(".")
    host = host.removeprefix("www.")
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError:
        return None
    return host if _DOMAIN.match(host) and "." in host else None


def parse_date(value: str) -> tuple[int, int] | None:
    """The span [start, end) of a year, month or day, in Unix seconds (UTC)."""
    parts = _date_parts(value.strip())
    if parts is None:
        return None
    year, month, day = parts
    try:
        if month is None:
            start, end = datetime(year, 1, 1, tzinfo=UTC), datetime(year + 1, 1, 1, tzinfo=UTC)
        elif day is None:
            start = datetime(year, month, 1, tzinfo=UTC)
            end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=UTC)
        else:
            start = datetime(year, month, day, tzinfo=UTC)
            last = day == monthrange(year, month)[1]
            end = _next_day(year, month, day, last)
    except (ValueError, OverflowError):
        return None
    return int(start.timestamp()), int(end.timestamp())


def _next_day(year: int, month: int, day: int, last_of_month: bool) -> datetime:
    if not last_of_month:
        return datetime(year, month, day + 1, tzinfo=UTC)
    return datetime(year + month // 12, month % 12 + 1, 1, tzinfo=UTC)


_ISO = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")
_FRENCH = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


def _date_parts(value: str) -> tuple[int, int | None, int | None] | None:
    iso = _ISO.match(value)
    if iso:
        year, month, day = iso.groups()
        return int(year), int(month) if month else None, int(day) if day else None
    french = _FRENCH.match(value)
    if french:
        day, month, year = french.groups()
        return int(year), int(month), int(day)
    return None


def matches_person(wanted: PersonFilter, display_name: str, username: str | None) -> bool:
    """Does a person match `from:`? Usernames exactly (no case); names by whole words."""
    if wanted.by_username:
        return (username or "").lower() == wanted.value
    if username and username.lower() == wanted.value.replace(" ", "_"):
        return True
    words = fold_key(display_name).split()
    wanted_words = wanted.value.split()
    n = len(wanted_words)
    return any(words[i : i + n] == wanted_words for i in range(len(words) - n + 1))
