"""When a feed is polled next: interval, jitter, cache headers, Retry-After, backoff."""

from __future__ import annotations

import random

import pytest

from bot.feed_schedule import (
    JITTER,
    MAX_DELAY,
    backoff,
    describe_interval,
    first_delay,
    freshness,
    next_delay,
    parse_interval,
    should_pause,
)


class NoJitter(random.Random):
    def uniform(self, a: float, b: float) -> float:
        return a


class MostJitter(random.Random):
    def uniform(self, a: float, b: float) -> float:
        return b


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({}, None),
        ({"cache-control": "max-age=3600"}, 3600.0),
        ({"cache-control": 'public, max-age="900", must-revalidate'}, 900.0),
        ({"cache-control": "no-cache, max-age=3600"}, None),
        ({"cache-control": "private, no-store"}, None),
        ({"cache-control": "s-maxage=60"}, None),
        (
            {"expires": "Sun, 29 Nov 2026 12:30:00 GMT", "date": "Sun, 29 Nov 2026 12:00:00 GMT"},
            1800.0,
        ),
        ({"expires": "0", "date": "Sun, 29 Nov 2026 12:00:00 GMT"}, None),
        (
            {"expires": "Sun, 29 Nov 2026 11:00:00 GMT", "date": "Sun, 29 Nov 2026 12:00:00 GMT"},
            0.0,
        ),
    ],
)
def test_freshness_from_cache_headers(headers: dict[str, str], expected: float | None) -> None:
    assert freshness(headers) == expected


@pytest.mark.parametrize(
    ("failures", "expected"),
    [
        (0, 600),
        (1, 600),
        (2, 1200),
        (3, 2400),
        (5, 9600),
        (8, 76800),
        (9, MAX_DELAY),
        (500, MAX_DELAY),
    ],
)
def test_backoff_doubles_and_is_capped_at_a_day(failures: int, expected: int) -> None:
    assert backoff(600, failures) == expected


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({}, 600),
        ({"fresh_for": 3600.0}, 3600),  # the server says it stays fresh longer
        ({"fresh_for": 60.0}, 600),  # ... never shorter than the interval
        ({"fresh_for": 10 * MAX_DELAY}, MAX_DELAY),
        ({"failures": 3}, 2400),
        ({"failures": 1, "retry_after": 7200.0}, 7200),
        ({"failures": 4, "retry_after": 30.0}, 4800),
        ({"retry_after": 3 * MAX_DELAY}, MAX_DELAY),
    ],
)
def test_next_delay_without_jitter(options: dict[str, float], expected: int) -> None:
    assert next_delay(600, NoJitter(), **options) == expected  # type: ignore[arg-type]


def test_jitter_only_ever_delays_and_never_past_a_day() -> None:
    assert next_delay(600, MostJitter()) == int(600 * (1 + JITTER))
    assert next_delay(600, MostJitter(), failures=30) == MAX_DELAY
    delays = {next_delay(600, random.Random(seed)) for seed in range(50)}
    assert min(delays) >= 600 and max(delays) <= 660 and len(delays) > 10


def test_first_polls_of_an_import_are_spread_over_one_interval() -> None:
    rng = random.Random(5)
    delays = [first_delay(600, rng) for _ in range(200)]
    assert min(delays) >= 0 and max(delays) < 600 and len(set(delays)) > 100


@pytest.mark.parametrize(
    ("failures", "permanent", "paused"),
    [(1, False, False), (9, False, False), (10, False, True), (1, True, True)],
)
def test_pause_after_the_bound_or_at_once_when_permanent(
    failures: int, permanent: bool, paused: bool
) -> None:
    assert should_pause(failures, 10, permanent=permanent) is paused


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("30", 1800),
        ("90s", 90),
        ("10min", 600),
        ("10 min", 600),
        ("2h", 7200),
        ("2 heures", 7200),
        ("45 secondes", 45),
        ("5 minutes", 300),
        ("", None),
        ("-5", None),
        ("1.5h", None),
        ("dix", None),
        ("10 jours", None),
    ],
)
def test_parse_interval(text: str, seconds: int | None) -> None:
    assert parse_interval(text) == seconds


@pytest.mark.parametrize(
    ("seconds", "text"), [(600, "10 min"), (7200, "2 h"), (90, "90 s"), (120, "2 min")]
)
def test_describe_interval(seconds: int, text: str) -> None:
    assert describe_interval(seconds) == text
