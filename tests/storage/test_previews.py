"""The preview queue on a real SQLite file: enqueue, claim, outcomes, restarts, chat switches."""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Sequence

import pytest

from storage.chats import ChatRepository
from storage.db import Database
from storage.links import LinkDraft, LinkRepository, MessageShare
from storage.previews import (
    LinkPreview,
    PreviewJob,
    PreviewRepository,
    QueueCounts,
    enqueue_links,
)

GROUP = -100200
QUIET = -100300  # a chat whose admins turned previews off
T0 = 1_700_000_000
MESSAGE_IDS = itertools.count(1)


async def links_in(db: Database, chat_id: int, *urls: str) -> list[int]:
    """Store one message sharing `urls` in `chat_id`; return the link ids, in order."""
    chats = ChatRepository(db)
    if await chats.get(chat_id) is None:
        await chats.upsert(chat_id, type="supergroup", title=str(chat_id), username=None)
    drafts = tuple(LinkDraft(url, url.split("/")[2]) for url in urls)
    message = MessageShare(
        chat_id=chat_id, message_id=next(MESSAGE_IDS), shared_at=T0, links=drafts
    )
    [result] = await LinkRepository(db).save_messages([message])
    return [link.link_id for link in result.links]


async def claim(repo: PreviewRepository, now: int = T0, **options: object) -> list[PreviewJob]:
    settings: dict[str, object] = {"limit": 10, "per_domain": 10}
    settings.update(options)
    return await repo.claim(now, **settings)  # type: ignore[arg-type]


def ids(jobs: Sequence[PreviewJob]) -> list[int]:
    return [job.link_id for job in jobs]


@pytest.fixture
def repo(db: Database) -> PreviewRepository:
    return PreviewRepository(db)


async def test_enqueue_skips_chats_with_previews_off_and_is_idempotent(
    db: Database, repo: PreviewRepository
) -> None:
    [loud] = await links_in(db, GROUP, "https://a.example/1")
    [quiet] = await links_in(db, QUIET, "https://a.example/1")
    await ChatRepository(db).set_previews(QUIET, False)
    assert await repo.enqueue([loud, quiet, loud], T0) == 1
    assert await repo.enqueue([loud], T0 + 5) == 0
    job = await repo.job(loud)
    assert job is not None and (job.state, job.attempts, job.next_attempt_at) == ("pending", 0, T0)
    assert await repo.job(quiet) is None


async def test_enqueue_links_runs_inside_the_callers_transaction(db: Database) -> None:
    [link] = await links_in(db, GROUP, "https://a.example/1")

    def enqueue_then_fail(conn: sqlite3.Connection) -> None:
        enqueue_links(conn, [link], T0)
        raise RuntimeError("capture failed after the hook")

    with pytest.raises(RuntimeError):
        await db.run_write(enqueue_then_fail)
    assert await PreviewRepository(db).job(link) is None  # rolled back with the share


async def test_claim_takes_due_jobs_oldest_first_and_counts_the_attempt(
    db: Database, repo: PreviewRepository
) -> None:
    first, second, later = await links_in(
        db, GROUP, "https://a.example/1", "https://b.example/2", "https://c.example/3"
    )
    await repo.enqueue([second], T0)
    await repo.enqueue([first], T0)
    await repo.enqueue([later], T0 + 60)
    jobs = await claim(repo)
    assert jobs == [
        PreviewJob(first, "https://a.example/1", "a.example", 1),
        PreviewJob(second, "https://b.example/2", "b.example", 1),
    ]
    assert await claim(repo) == []  # claimed jobs are not handed out twice
    assert ids(await claim(repo, T0 + 60)) == [later]
    assert await repo.counts() == QueueCounts(fetching=3)


async def test_claim_spreads_slots_over_domains(db: Database, repo: PreviewRepository) -> None:
    burst = [f"https://big.example/{n}" for n in range(6)]
    *big, small = await links_in(db, GROUP, *burst, "https://small.example/x")
    await repo.enqueue([*big, small], T0)
    jobs = await claim(repo, limit=4, per_domain=2)
    assert ids(jobs) == [big[0], big[1], small]
    # Fetches already in flight count against their domain.
    assert ids(await claim(repo, limit=4, per_domain=2, busy={"big.example": 1})) == [big[2]]
    assert await claim(repo, limit=0) == []


async def test_claim_skips_chats_that_turned_previews_off(
    db: Database, repo: PreviewRepository
) -> None:
    [link] = await links_in(db, QUIET, "https://a.example/1")
    await repo.enqueue([link], T0)
    await ChatRepository(db).set_previews(QUIET, False)
    assert await claim(repo) == []
    assert await repo.next_due() is None


async def test_success_updates_the_link_and_keeps_known_values(
    db: Database, repo: PreviewRepository
) -> None:
    [link] = await links_in(db, GROUP, "https://a.example/1")
    await db.execute_write(
        "UPDATE links SET title = 'Titre importé', site_name = 'Ancien' WHERE id = ?", (link,)
    )
    await repo.enqueue([link], T0)
    await claim(repo)
    preview = LinkPreview(
        description="Une description",
        site_name="Le Site",
        canonical_url="https://a.example/canon",
        language="fr-FR",
        content_type="text/html",
    )
    await repo.record_success(link, preview, T0 + 3)
    async with db.reader.execute(
        "SELECT title, description, site_name, canonical_url, language, content_type "
        "FROM links WHERE id = ?",
        (link,),
    ) as cursor:
        row = await cursor.fetchone()
    assert row is not None
    assert tuple(row) == (
        "Titre importé",  # no title found: the imported one stays
        "Une description",
        "Le Site",
        "https://a.example/canon",
        "fr-FR",
        "text/html",
    )
    job = await repo.job(link)
    assert job is not None and (job.state, job.updated_at, job.last_error) == (
        "done",
        T0 + 3,
        None,
    )


async def test_retry_then_failure_are_recorded_per_link(
    db: Database, repo: PreviewRepository
) -> None:
    [link] = await links_in(db, GROUP, "https://a.example/1")
    await repo.enqueue([link], T0)
    await claim(repo)
    await repo.record_retry(link, "FetchTimeout: slow", T0 + 60, T0)
    job = await repo.job(link)
    assert job is not None
    assert (job.state, job.attempts, job.next_attempt_at, job.last_error) == (
        "pending",
        1,
        T0 + 60,
        "FetchTimeout: slow",
    )
    assert await repo.next_due() == T0 + 60
    assert await claim(repo, T0 + 59) == []
    [again] = await claim(repo, T0 + 60)
    assert again.attempt == 2
    await repo.record_failure(link, "x" * 2000, T0 + 61)
    job = await repo.job(link)
    assert job is not None and job.state == "failed" and len(job.last_error or "") == 500
    assert await claim(repo, T0 + 10_000) == []


async def test_released_jobs_are_due_again_without_spending_an_attempt(
    db: Database, repo: PreviewRepository
) -> None:
    [link] = await links_in(db, GROUP, "https://a.example/1")
    await repo.enqueue([link], T0)
    await claim(repo)
    assert await repo.release_in_flight(T0 + 1) == 1
    [job] = await claim(repo, T0 + 1)
    assert job.attempt == 1


async def test_recovery_after_a_crash_resumes_jobs_and_stops_crash_loops(
    db: Database, repo: PreviewRepository
) -> None:
    fresh, doomed, waiting = await links_in(
        db, GROUP, "https://a.example/1", "https://b.example/2", "https://c.example/3"
    )
    await repo.enqueue([fresh, doomed], T0)
    await repo.enqueue([waiting], T0 + 500)
    await claim(repo)
    await db.execute_write("UPDATE preview_jobs SET attempts = 4 WHERE link_id = ?", (doomed,))
    # The process died here: both jobs are still marked as fetching.
    assert await repo.recover_in_flight(T0 + 100, max_attempts=4) == 1
    assert ids(await claim(repo, T0 + 100)) == [fresh]
    job = await repo.job(doomed)
    assert (
        job is not None
        and job.state == "failed"
        and "interrupted 4 times" in (job.last_error or "")
    )
    waiting_job = await repo.job(waiting)
    assert waiting_job is not None and waiting_job.state == "pending"


async def test_turning_a_chat_off_drops_only_its_waiting_jobs(
    db: Database, repo: PreviewRepository
) -> None:
    mine, claimed_link = await links_in(db, QUIET, "https://a.example/1", "https://c.example/3")
    [theirs] = await links_in(db, GROUP, "https://a.example/1")
    await repo.enqueue([claimed_link], T0)
    await claim(repo)
    await repo.enqueue([mine, theirs], T0)
    assert await repo.cancel_chat(QUIET) == 1
    assert await repo.job(mine) is None
    assert await repo.job(claimed_link) is not None  # in flight: finishes normally
    assert await repo.job(theirs) is not None


async def test_a_deleted_link_takes_its_job_with_it(db: Database, repo: PreviewRepository) -> None:
    [link] = await links_in(db, GROUP, "https://a.example/1")
    await repo.enqueue([link], T0)
    await ChatRepository(db).purge(GROUP)
    assert await repo.job(link) is None
    assert await repo.counts() == QueueCounts()
