"""Search as members use it: who may see what (scopes), queries, and result pages.

Scopes. In a group, a search sees that group's links. In a private chat or inline, it sees the
links of the served groups the asker belongs to now: the candidates are the groups where the
bot has seen the person (`chat_people`), each confirmed with Telegram's `getChatMember`
through `MembershipCache` (one call per group per few minutes, never one per result).

Pages. A result message keeps its query server-side under a short random id (`PageStore`), so
a button's `callback_data` is a few bytes. The stored search remembers the chat its message is
in and, in private, whose it is; every page recomputes the scope, so a member who left a group
stops seeing its links on the next page, and a button replayed elsewhere finds nothing.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from telegram.error import TelegramError

from bot.access import AccessService
from bot.permissions import MembershipCache
from bot.query import SearchQuery, matches_person, parse_query
from storage.links import PersonRecord
from storage.people import PeopleRepository
from storage.search import Filters, SearchRepository, TagCount
from storage.search import Hit as Hit  # re-exported: the handlers show them
from storage.search import ResultPage as ResultPage

log = logging.getLogger(__name__)

PAGE_PREFIX = "sp:"
INLINE_LIMIT = 50


@dataclass(frozen=True, slots=True)
class Scope:
    """The chats a search may read; `private` results name their group."""

    chat_ids: tuple[int, ...]
    private: bool = False


@dataclass(frozen=True, slots=True)
class SavedSearch:
    """What a page button needs: the query, where its message is, and whose it is."""

    text: str
    chat_id: int
    owner_id: int | None  # private searches: only the asker pages through them
    private: bool


@dataclass(frozen=True, slots=True)
class PageRequest:
    """A page button that may be served: which page of which saved search, in what scope."""

    search_id: str
    page: int
    saved: SavedSearch
    scope: Scope


def page_callback(search_id: str, page: int) -> str:
    """`callback_data` of a page button: at most 3 + 8 + 1 + 5 bytes."""
    return f"{PAGE_PREFIX}{search_id}:{page}"


def parse_page_callback(data: str) -> tuple[str, int] | None:
    search_id, _, page = data.removeprefix(PAGE_PREFIX).partition(":")
    if not search_id or not page.isdigit() or len(page) > 5:
        return None
    return search_id, int(page)


class PageStore:
    """Saved searches under short ids, forgotten after `ttl` seconds or when too many."""

    def __init__(
        self,
        ttl: float = 3600.0,
        capacity: int = 20_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._ttl = ttl
        self._capacity = capacity
        self._clock = clock
        self._entries: OrderedDict[str, tuple[float, SavedSearch]] = OrderedDict()

    def save(self, search: SavedSearch) -> str:
        search_id = secrets.token_urlsafe(6)  # 8 characters, 48 random bits
        self._entries[search_id] = (self._clock(), search)
        while len(self._entries) > self._capacity:
            self._entries.popitem(last=False)
        return search_id

    def forget_owner(self, owner_id: int) -> None:
        """Drop a person's private searches (their query texts) at once (/forgetme)."""
        for search_id in [k for k, (_, s) in self._entries.items() if s.owner_id == owner_id]:
            del self._entries[search_id]

    def get(self, search_id: str) -> SavedSearch | None:
        entry = self._entries.get(search_id)
        if entry is None:
            return None
        if self._clock() - entry[0] > self._ttl:
            del self._entries[search_id]
            return None
        return entry[1]


class SearchService:
    """Scopes, queries and pages for /search, /recent, /tags and inline queries."""

    def __init__(
        self,
        repository: SearchRepository,
        people: PeopleRepository,
        access: AccessService,
        members: MembershipCache,
        *,
        page_size: int = 8,
        pages: PageStore | None = None,
    ) -> None:
        self.repository = repository
        self.people = people
        self.access = access
        self.members = members
        self.page_size = page_size
        self.pages = pages or PageStore()

    async def group_scope(self, chat_id: int) -> Scope | None:
        """A served group or channel sees its own links; None when it is not served."""
        chat = await self.access.get(chat_id)
        if chat is None or not chat.approved:
            return None
        return Scope((chat_id,))

    async def private_scope(self, user_id: int) -> Scope:
        """The served groups this user is a member of now."""
        candidates = await self.people.sighted_chats(user_id)
        checks = await asyncio.gather(*(self._is_member(c.chat_id, user_id) for c in candidates))
        chosen = tuple(c.chat_id for c, ok in zip(candidates, checks, strict=True) if ok)
        return Scope(chosen, private=True)

    async def saved_scope(self, saved: SavedSearch, chat_id: int, user_id: int) -> Scope | None:
        """The scope of a page button pressed by `user_id` under a message in `chat_id`.

        None when the button is not theirs to press: another chat's search replayed here, a
        private search that is someone else's, or a group the presser is not a member of (in a
        public group anyone can see the message and its buttons).
        """
        if chat_id != saved.chat_id:
            return None
        if saved.private:
            return await self.private_scope(user_id) if saved.owner_id == user_id else None
        if not await self._is_member(chat_id, user_id):
            return None
        return await self.group_scope(chat_id)

    async def pressed_page(
        self, data: str, chat_id: int | None, user_id: int
    ) -> PageRequest | None:
        """What a page button asks for; None when it expired or is not the presser's."""
        parsed = parse_page_callback(data)
        saved = self.recall(parsed[0]) if parsed else None
        if parsed is None or saved is None or chat_id is None:
            return None
        scope = await self.saved_scope(saved, chat_id, user_id)
        search_id, page = parsed
        return None if scope is None else PageRequest(search_id, page, saved, scope)

    async def _is_member(self, chat_id: int, user_id: int) -> bool:
        try:
            return await self.members.is_member(chat_id, user_id)
        except TelegramError:  # Telegram unreachable: deny this time, do not cache
            return False

    async def search(self, scope: Scope, text: str, offset: int, limit: int) -> ResultPage:
        """One page of results for a query typed by a member, within `scope`."""
        query = parse_query(text)
        filters = await self.filters(query, scope)
        return await self.repository.search(
            scope.chat_ids, query.match, query.exclude, filters, offset, limit
        )

    async def page(self, scope: Scope, text: str, page: int) -> ResultPage:
        return await self.search(scope, text, page * self.page_size, self.page_size)

    async def inline_page(self, user_id: int, text: str, offset: int) -> ResultPage:
        """Inline results: the asker's groups' links, `INLINE_LIMIT` at a time."""
        scope = await self.private_scope(user_id)
        if not scope.chat_ids:
            return ResultPage((), False)
        return await self.search(scope, text, offset, INLINE_LIMIT)

    async def filters(self, query: SearchQuery, scope: Scope) -> Filters:
        person_ids: tuple[int, ...] | None = None
        if query.people:
            people = await self.people.in_chats(scope.chat_ids)
            person_ids = tuple(
                p.id
                for p in people
                if any(matches_person(f, p.display_name, p.username) for f in query.people)
            )
        return Filters(
            since=query.since,
            until=query.until,
            kinds=query.kinds,
            sites=query.sites,
            person_ids=person_ids,
            # `tags_text:"cnil"` is exact; a key of several tokens (`jo_2024`) could also match
            # across two neighbouring tags, so those are checked against the stored keys.
            tags=tuple(tag for tag in query.tags if not tag.isalnum()),
        )

    async def top_tags(self, scope: Scope, limit: int = 30) -> list[TagCount]:
        return await self.repository.top_tags(scope.chat_ids, limit)

    async def record_sighting(self, chat_id: int, person: PersonRecord) -> None:
        """A member searched in a group: they belong to it (a private-scope candidate)."""
        try:
            await self.people.record_sighting(chat_id, person)
        except Exception:  # a missing chat row or a busy database must not fail the search
            log.exception("could not record that %s is in chat %s", person.id, chat_id)

    def remember(self, search: SavedSearch) -> str:
        return self.pages.save(search)

    def recall(self, search_id: str) -> SavedSearch | None:
        return self.pages.get(search_id)
