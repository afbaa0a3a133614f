"""Telegram's flood limits, as sliding windows over the sends the fake accepted.

`FakeBotApi.set_flood_limits(...)` puts a `FloodGate` in force: a send over a limit is refused
with 429 and the `retry_after` that would have let it through.
"""

import math
from collections import deque
from dataclasses import dataclass

from tests.fakes.payloads import FakeChat, Refusal, retry_after


@dataclass(frozen=True, slots=True)
class FloodLimits:
    per_second: float = 30.0
    per_chat_per_minute: int = 20
    group_per_minute: int = 20


class FloodWindows:
    """Sliding windows of accepted sends: all chats per second, each chat per minute.

    `per_chat_per_minute` applies to private chats and channels, `group_per_minute` to groups
    and supergroups (Telegram's documented 20 messages a minute in a group).
    """

    def __init__(self, limits: FloodLimits) -> None:
        self.limits = limits
        if limits.per_second >= 1:
            self._global = (int(limits.per_second), 1.0)
        else:
            self._global = (1, 1.0 / limits.per_second)
        self._all: deque[float] = deque()
        self._per_chat: dict[int, deque[float]] = {}

    def wait_needed(self, chat: FakeChat, moment: float) -> int:
        """Whole seconds before this send would fit; 0 when it fits now."""
        per_chat = (
            self.limits.group_per_minute if chat.is_group else self.limits.per_chat_per_minute
        )
        chat_window = self._per_chat.setdefault(chat.id, deque())
        return max(
            _wait_in(self._all, *self._global, moment),
            _wait_in(chat_window, per_chat, 60.0, moment),
        )

    def spend(self, chat: FakeChat, moment: float) -> None:
        self._all.append(moment)
        self._per_chat.setdefault(chat.id, deque()).append(moment)


def _wait_in(window: deque[float], capacity: int, span: float, moment: float) -> int:
    while window and window[0] <= moment - span:
        window.popleft()
    if len(window) < capacity:
        return 0
    # The send that has to leave the window before one more fits.
    blocking = window[len(window) - capacity]
    return max(1, math.ceil(blocking + span - moment))


class FloodGate:
    """The windows in force (none until limits are set) and how many sends they refused."""

    def __init__(self) -> None:
        self.windows: FloodWindows | None = None
        self.violations = 0

    def admit(self, chat: FakeChat, moment: float) -> None:
        """Count one send against the windows, or refuse it with a computed wait."""
        if self.windows is None:
            return
        wait = self.windows.wait_needed(chat, moment)
        if wait:
            self.violations += 1
            raise Refusal(retry_after(wait))
        self.windows.spend(chat, moment)
