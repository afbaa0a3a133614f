"""Erasing what members shared: one message's links (/delete), or a person entirely (/forgetme).

Writes go through the writer thread in one transaction each; the search index follows through
its triggers, so an erased link is not found again.
"""

from __future__ import annotations

from dataclasses import dataclass

from storage.db import Database
from storage.links import RemovedShares, delete_message_shares
from storage.people import Forgotten, PeopleRepository

FORGET_PREFIX = "fm:"


@dataclass(frozen=True, slots=True)
class DeleteDecision:
    """Whether /delete may go ahead: `owned` when the requester shared it."""

    found: bool
    owned: bool


def delete_decision(owners: list[int | None], requester_ids: set[int]) -> DeleteDecision:
    """Pure: does this message have saved shares, and did one of `requester_ids` make them?"""
    return DeleteDecision(
        found=bool(owners),
        owned=bool(owners) and all(owner in requester_ids for owner in owners),
    )


class ErasureService:
    def __init__(self, db: Database, people: PeopleRepository) -> None:
        self._db = db
        self._people = people

    async def share_owners(self, chat_id: int, message_id: int) -> list[int | None]:
        return await self._people.share_owners(chat_id, message_id)

    async def delete_message(self, chat_id: int, message_id: int) -> RemovedShares:
        return await self._db.run_write(
            lambda conn: delete_message_shares(conn, chat_id, message_id)
        )

    async def share_count(self, person_id: int) -> int:
        return await self._people.share_count(person_id)

    async def forget(self, person_id: int) -> Forgotten:
        return await self._people.forget(person_id)
