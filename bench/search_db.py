"""The search benchmark's database: synthetic links across 200 chats, built once, cached.

French vocabulary with accents (the corpus's words first, then a long tail of made-up ones),
Zipf-distributed words and hashtags, titles and descriptions as previews fill them, one share
per link; the schema comes from the real migrations, the full-text index is filled once after
the bulk load. The database is cached under /tmp, keyed by VERSION and size, with the query
terms chosen for it (by their measured document frequency) in a sidecar file.
"""

from __future__ import annotations

import itertools
import json
import random
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bench.corpus import SITES, TAGS, WORDS
from bot.folding import fold_key
from storage.migrate import available_migrations, split_statements
from storage.search import rebuild_index

VERSION = 3  # of the database: change it when the schema or the generator changes
TERMS_VERSION = 2
CHATS = 200
PEOPLE = 5000
_SYLLABLES = (
    "ba bé ca ché co da dé fa fi ga gué la lé li lo ma mé mi mo na né ni no pa pé pi po ra ré ri "
    "ro sa sé si so ta té ti to va vé vi vo za ète ière ment tion eur oir age ance"
)
SYLLABLES = tuple(_SYLLABLES.split())


def database_path(count: int) -> Path:
    return Path(f"/tmp/veille-bench-search-v{VERSION}-{count}.sqlite3")


def chat_ids() -> list[int]:
    return [-1001000000000 - n for n in range(CHATS)]


def vocabulary(rng: random.Random) -> list[str]:
    """The corpus's French words first (most frequent), then a long tail of made-up words."""
    tail: set[str] = set()
    while len(tail) < 20_000:
        tail.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))))
    words = list(dict.fromkeys(w.lower() for w in WORDS))
    return words + sorted(tail - set(words))


def link_rows(count: int, seed: int = 20261129) -> Iterator[tuple[Any, ...]]:
    """(id, chat, person, url, domain, kind, title, description, comment, tags_text, at)."""
    rng = random.Random(seed)
    vocab = vocabulary(rng)
    weights = list(itertools.accumulate(1 / rank**1.05 for rank in range(1, len(vocab) + 1)))
    tag_weights = list(itertools.accumulate(1 / rank for rank in range(1, len(TAGS) + 1)))
    chats = chat_ids()

    def words(n: int) -> str:
        return " ".join(rng.choices(vocab, cum_weights=weights, k=n))

    def row(link_id: int) -> tuple[Any, ...]:
        site = rng.choice(SITES)
        tags = rng.choices(TAGS, cum_weights=tag_weights, k=rng.randint(0, 4))
        kind = "petition" if site == "www.change.org" else "link"
        return (
            link_id,
            rng.choice(chats),
            rng.randrange(PEOPLE) + 1,
            f"https://{site}/{words(1)}/{link_id}",
            site.removeprefix("www."),
            kind,
            words(rng.randint(5, 12)).capitalize(),
            words(rng.randint(10, 30)),
            words(rng.randint(0, 10)),
            " ".join(dict.fromkeys(fold_key(tag) for tag in tags)),
            1_600_000_000 + link_id * 60,
        )

    return (row(n) for n in range(1, count + 1))


def build(path: Path, count: int) -> None:
    """The database, schema from the real migrations, filled in bulk, index refilled once."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;")
    triggers = []
    for migration in available_migrations():
        for statement in split_statements(migration.sql):
            if statement.startswith("CREATE TRIGGER links_fts"):
                triggers.append(statement)  # created after the bulk load
            else:
                conn.execute(statement)
    stamp = int(time.time())
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO chats(id, type, title, status, created_at, updated_at) "
        "VALUES (?, 'supergroup', ?, 'approved', ?, ?)",
        [(chat, f"Groupe {n}", stamp, stamp) for n, chat in enumerate(chat_ids())],
    )
    conn.executemany(
        "INSERT INTO people(id, display_name, username, updated_at) VALUES (?, ?, ?, ?)",
        [(n, f"Membre {n}", f"membre{n}", stamp) for n in range(1, PEOPLE + 1)],
    )
    conn.executemany(
        "INSERT INTO tags(key, display) VALUES (?, ?)",
        list({fold_key(tag): tag for tag in TAGS}.items()),
    )
    tag_ids = dict(conn.execute("SELECT key, id FROM tags").fetchall())
    rows = link_rows(count)
    while batch := list(itertools.islice(rows, 50_000)):
        _insert(conn, batch, tag_ids)
    rebuild_index(conn)
    for statement in triggers:
        conn.execute(statement)
    conn.execute("COMMIT")
    conn.execute("ANALYZE")
    conn.execute("PRAGMA journal_mode=WAL")
    conn.close()


def _insert(
    conn: sqlite3.Connection, batch: list[tuple[Any, ...]], tag_ids: dict[str, int]
) -> None:
    conn.executemany(
        "INSERT INTO links(id, chat_id, url, domain, kind, title, description, comment_text, "
        "tags_text, share_count, first_shared_at, last_shared_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)",
        [(r[0], r[1], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10], r[10]) for r in batch],
    )
    conn.executemany(
        "INSERT INTO shares(id, link_id, chat_id, message_id, person_id, shared_at, comment) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(r[0], r[0], r[1], r[0], r[2], r[10], r[8]) for r in batch],
    )
    conn.executemany(
        "INSERT INTO share_tags(share_id, tag_id) VALUES (?, ?)",
        [(r[0], tag_ids[key]) for r in batch for key in r[9].split()],
    )


def doc_count(conn: sqlite3.Connection, expression: str) -> int:
    row = conn.execute("SELECT count(*) FROM links_fts WHERE links_fts MATCH ?", (expression,))
    return int(row.fetchone()[0])


def choose_terms(path: Path, count: int) -> dict[str, Any]:
    """Words for each class, picked by their measured document frequency.

    Selective classes match a few links per chat (100 to 1,000 links of 1,000,000), so that a
    LIKE scan has to read the whole chat: two mid-frequency words, a phrase of two common words,
    a hashtag and a word. The common word is in about a third of the links.
    """
    conn = sqlite3.connect(path)
    rng = random.Random(7)
    vocab = vocabulary(random.Random(20261129))
    low, high = max(2, count // 10_000), max(10, count // 1000)
    head = {word: doc_count(conn, f'"{word}"') for word in vocab[:60]}
    common = min(head, key=lambda word: abs(head[word] - count / 3))
    top = sorted(head, key=head.__getitem__, reverse=True)
    band = {w: doc_count(conn, f'"{w}"') for w in rng.sample(vocab[60:1500], 150)}
    mid = [w for w, n in band.items() if count / 400 <= n <= count / 60]
    tail = rng.sample(vocab[2000:], 200)
    rare = [w for w in tail if low <= doc_count(conn, f'"{w}"') <= high][:20]
    tags = sorted({fold_key(t) for t in TAGS}, key=lambda k: -doc_count(conn, f'tags_text:"{k}"'))

    def selective(candidates: list[str], limit: int = 12) -> list[str]:
        return [q for q in candidates if low <= doc_count(conn, q) <= high * 2][:limit]

    pairs = selective([f'"{a}" AND "{b}"' for a, b in zip(mid[::2], mid[1::2], strict=False)])
    phrases = selective([f'"{a} {b}"' for a, b in (rng.sample(top[:30], 2) for _ in range(60))], 8)
    tag_words = selective(
        [f'tags_text:"{t}" AND "{w}"' for t in tags[:6] for w in rng.sample(mid, 4)]
    )
    conn.close()
    return {"common": common, "common_df": head[common], "top": top[:2], "rare": rare,
            "two_words": [q.replace('"', "").replace(" AND ", " ") for q in pairs],
            "phrase": [q.replace('"', "") for q in phrases],
            "tag": tags[:3],
            "tag_word": [q.replace('tags_text:"', "#").replace('" AND "', " ").rstrip('"')
                         for q in tag_words]}  # fmt: skip


def ensure_database(count: int, rebuild: bool) -> tuple[Path, dict[str, Any], float]:
    path = database_path(count)
    sidecar = path.with_suffix(f".terms{TERMS_VERSION}.json")
    build_seconds = 0.0
    if rebuild or not path.exists():
        for stale in path.parent.glob(path.name + "*"):
            stale.unlink()
        started = time.perf_counter()
        # A child process builds it, so that peak RSS below is the searches' own.
        subprocess.run([sys.executable, "-m", "bench.search", "--build-only", "--links",
                        str(count)], check=True)  # fmt: skip
        build_seconds = time.perf_counter() - started
    if not sidecar.exists():
        sidecar.write_text(json.dumps(choose_terms(path, count), ensure_ascii=False))
    return path, json.loads(sidecar.read_text()), build_seconds
