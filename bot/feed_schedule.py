"""When to poll a feed next. Pure: the caller passes the clock's answers and a random source.

- A feed is polled every `interval` seconds (its own, else VEILLE_FEED_POLL_SECONDS), plus up
  to `JITTER` of it at random, so that feeds added together drift apart instead of hitting
  their servers in bursts.
- A server's cache headers can only make that longer: `Cache-Control: max-age` (or `Expires`
  minus `Date`) says how long the document stays fresh; polling before then is wasted on both
  sides. `no-cache`/`no-store` mean "ask every time", which the interval already does.
- After an error, polls back off exponentially (the interval, then twice it, four times...),
  and a `Retry-After` is honoured when it asks for longer. Nothing waits more than `MAX_DELAY`
  (a day), jitter included.
- After `max_failures` consecutive failures, or a permanent one (410 Gone), the feed is paused.
"""

from __future__ import annotations

import random
import re
from collections.abc import Mapping
from email.utils import parsedate_to_datetime

MAX_DELAY = 86_400
JITTER = 0.1
MIN_CHAT_INTERVAL = 120  # what chat admins may choose; operators' default may be lower
MAX_CHAT_INTERVAL = 7 * 86_400

_MAX_AGE = re.compile(r"(?:^|,)\s*max-age\s*=\s*\"?(\d+)\"?", re.IGNORECASE)
_NO_CACHE = re.compile(r"(?:^|,)\s*(no-cache|no-store)\b", re.IGNORECASE)
_DURATION = re.compile(
    r"^(\d+)\s*(s|sec|secs|secondes?|seconds?|m|mn|min|mins|minutes?|h|heures?|hours?)?$"
)
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600}


def freshness(headers: Mapping[str, str]) -> float | None:
    """Seconds the response stays fresh by its cache headers, or None when they say nothing."""
    control = headers.get("cache-control", "")
    if _NO_CACHE.search(control):
        return None
    found = _MAX_AGE.search(control)
    if found:
        return float(found.group(1))
    return _expires_in(headers.get("expires"), headers.get("date"))


def _expires_in(expires: str | None, date: str | None) -> float | None:
    if not expires or not date:
        return None
    try:
        return max(
            0.0, (parsedate_to_datetime(expires) - parsedate_to_datetime(date)).total_seconds()
        )
    except (TypeError, ValueError):
        return None  # "Expires: 0" and other invalid dates mean "already stale"


def backoff(interval: int, failures: int) -> float:
    """The wait after `failures` consecutive failures: the interval, doubled each time."""
    if failures <= 0:
        return float(interval)
    return float(min(interval * 2 ** min(failures - 1, 20), MAX_DELAY))


def next_delay(
    interval: int,
    rng: random.Random,
    *,
    failures: int = 0,
    fresh_for: float | None = None,
    retry_after: float | None = None,
) -> int:
    """Seconds until the next poll (at least 1, at most MAX_DELAY)."""
    delay = backoff(interval, failures)
    for asked in (fresh_for, retry_after):
        if asked is not None:
            delay = max(delay, asked)
    delay = min(delay, MAX_DELAY)
    jittered = delay + rng.uniform(0, JITTER * delay)
    return max(1, min(int(jittered), MAX_DELAY))


def first_delay(interval: int, rng: random.Random) -> int:
    """When a feed added without a first read (an OPML import) is first polled: spread out."""
    return int(rng.uniform(0, interval))


def should_pause(failures: int, max_failures: int, *, permanent: bool = False) -> bool:
    return permanent or failures >= max_failures


def parse_interval(text: str) -> int | None:
    """'30' (minutes), '90s', '10 min', '2h' -> seconds; None when it is not a duration."""
    found = _DURATION.match(text.strip().lower())
    if found is None:
        return None
    unit = (found.group(2) or "m")[0]
    return int(found.group(1)) * _UNIT_SECONDS[unit]


def describe_interval(seconds: int) -> str:
    """600 -> '10 min', 7200 -> '2 h', 90 -> '90 s' (same in French and English)."""
    if seconds % 3600 == 0:
        return f"{seconds // 3600} h"
    if seconds % 60 == 0:
        return f"{seconds // 60} min"
    return f"{seconds} s"
