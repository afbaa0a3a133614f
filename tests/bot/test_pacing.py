"""Send windows, lanes served in turn, flood pauses and backoff: pure, on a hand-moved clock."""

from __future__ import annotations

import random

import pytest

from bot.pacing import INFINITY, Backoff, FloodPauses, Lanes, Limit, SendWindow


@pytest.mark.parametrize(
    ("rate", "count", "seconds"),
    [(25.0, 25, 1.0), (30, 30, 1.0), (0.5, 1, 2.0), (25.5, 25, 25 / 25.5), (1.0, 1, 1.0)],
)
def test_limit_per_second(rate: float, count: int, seconds: float) -> None:
    limit = Limit.per_second(rate)
    assert limit.count == count and limit.seconds == pytest.approx(seconds)


def test_limits_scale_and_refuse_nonsense() -> None:
    assert Limit.per_minute(20).scaled(10) == Limit(20, 6.0)
    with pytest.raises(ValueError, match="invalid limit"):
        Limit(0, 1.0)


def test_a_send_holds_its_place_until_a_window_after_it_returned() -> None:
    window = SendWindow(Limit(2, 1.0))
    window.start()
    window.start()
    assert window.room(0.0) == 0 and window.free_at(0.0) == INFINITY  # both still in flight
    window.finish(0.3)
    window.finish(0.5)
    assert window.free_at(0.6) == pytest.approx(1.3)
    assert window.room(1.3) == 1 and window.room(1.5) == 2
    assert window.idle(1.5)


def test_arrivals_never_crowd_a_window_whatever_the_latency() -> None:
    """Whatever the latency, no window of `seconds` at the receiving end holds more than
    `count` arrivals: a place is reused only a window after its request came back."""
    rng = random.Random(7)
    window = SendWindow(Limit(5, 1.0))
    now = 0.0
    arrivals: list[float] = []
    open_sends: list[tuple[float]] = []
    for _ in range(400):
        while window.room(now) <= 0:
            returned, *_ = open_sends.pop(0)
            window.finish(returned)
            now = max(now, window.free_at(now) if window.free_at(now) < INFINITY else now)
        window.start()
        arrival = now + rng.uniform(0.0, 0.2)
        open_sends.append((arrival + rng.uniform(0.0, 0.2),))
        arrivals.append(arrival)
        now += rng.uniform(0.0, 0.05)
    arrivals.sort()
    worst = max(sum(1 for other in arrivals if start - 1.0 < other <= start) for start in arrivals)
    assert worst <= 5


def lanes(per_chat: Limit = Limit(20, 60.0)) -> Lanes:  # noqa: B008 - immutable
    return Lanes(per_chat)


def test_ready_lanes_are_served_oldest_ready_first() -> None:
    scheduler = lanes()
    scheduler.add_work(1, 0.0, 0.0)
    scheduler.add_work(2, 1.0, 1.0)
    scheduler.add_work(3, 2.0, 2.0)
    assert scheduler.take(5.0, 2) == [1, 2]
    assert scheduler.take(5.0, 5) == [3]
    assert scheduler.take(5.0, 5) == []  # all busy: one send in flight per chat


def test_a_chat_just_served_queues_behind_every_chat_already_waiting() -> None:
    scheduler = lanes()
    for chat in (1, 2, 3):
        scheduler.add_work(chat, 0.0, 0.0)
    [first] = scheduler.take(1.0, 1)
    scheduler.start_send(first)
    scheduler.finish(first, 1.1, next_due=0.0, sent=True)  # it has more, due long ago
    assert scheduler.take(2.0, 3) == [2, 3, 1]


def test_one_chats_backlog_never_holds_back_another() -> None:
    scheduler = lanes(Limit(2, 60.0))
    scheduler.add_work(1, 0.0, 0.0)
    now = 0.0
    for _ in range(2):  # chat 1 spends its two places a minute
        [chat] = scheduler.take(now, 1)
        scheduler.start_send(chat)
        now += 0.1
        scheduler.finish(chat, now, next_due=0.0, sent=True)
    scheduler.add_work(2, now, now)
    assert scheduler.take(now, 5) == [2]
    assert scheduler.next_ready_at() == pytest.approx(60.1)  # chat 1 again, a minute after
    assert scheduler.take(60.0, 5) == [] and scheduler.take(60.2, 5) == [1]


def test_work_not_yet_due_waits_for_its_time() -> None:
    scheduler = lanes()
    scheduler.add_work(1, 10.0, 0.0)
    assert scheduler.take(9.9, 1) == [] and scheduler.next_ready_at() == 10.0
    assert scheduler.take(10.0, 1) == [1]


def test_a_paused_chat_waits_exactly_its_pause() -> None:
    scheduler = lanes()
    scheduler.add_work(1, 0.0, 0.0)
    [chat] = scheduler.take(0.0, 1)
    scheduler.start_send(chat)
    scheduler.pause(chat, 7.5, 0.2)
    scheduler.finish(chat, 0.2, next_due=0.0, sent=True)
    assert scheduler.next_ready_at() == 7.5


def test_work_announced_while_a_chat_is_busy_is_not_lost() -> None:
    """The claim that made the lane busy may have run before new rows committed."""
    scheduler = lanes()
    scheduler.add_work(1, 0.0, 0.0)
    [chat] = scheduler.take(0.0, 1)
    scheduler.add_work(1, 0.5, 0.5)  # capture queued one more meanwhile
    scheduler.finish(chat, 0.6, next_due=None, sent=False)  # the claim saw nothing more
    assert scheduler.take(0.6, 1) == [1]


def test_lanes_without_work_are_forgotten_once_their_window_is_empty() -> None:
    scheduler = lanes(Limit(5, 10.0))
    scheduler.add_work(1, 0.0, 0.0)
    [chat] = scheduler.take(0.0, 1)
    scheduler.start_send(chat)
    scheduler.finish(chat, 1.0, next_due=None, sent=True)
    assert not scheduler.has_work()
    scheduler.prune(5.0)
    scheduler.add_work(1, 5.0, 5.0)  # the window still remembers the send at 1.0
    [again] = scheduler.take(5.0, 1)
    scheduler.start_send(again)
    scheduler.finish(again, 5.0, next_due=None, sent=True)
    scheduler.prune(16.0)
    assert not scheduler.has_work()


def test_dropped_chats_lose_their_work() -> None:
    scheduler = lanes()
    scheduler.add_work(1, 0.0, 0.0)
    scheduler.drop(1)
    assert scheduler.take(1.0, 5) == [] and not scheduler.has_work()


def test_one_refusal_pauses_a_chat_two_chats_pause_everyone() -> None:
    pauses = FloodPauses()
    assert pauses.refused(1, until=5.0, now=0.0) is False
    assert pauses.refused(1, until=6.0, now=1.0) is False  # the same chat again
    assert pauses.global_until == 0.0
    assert pauses.refused(2, until=3.0, now=2.0) is True
    assert pauses.global_until == 6.0
    assert pauses.refused(3, until=20.0, now=10.0) is False  # earlier pauses are over


@pytest.mark.parametrize(
    ("failures", "low", "high"),
    [(1, 2.5, 5.0), (2, 5.0, 10.0), (4, 20.0, 40.0), (20, 900.0, 1800.0)],
)
def test_backoff_doubles_with_jitter_and_a_cap(failures: int, low: float, high: float) -> None:
    rng = random.Random(3)
    delays = [Backoff().delay(failures, rng) for _ in range(200)]
    assert all(low <= delay <= high for delay in delays)
    assert len(set(delays)) > 100  # jittered
