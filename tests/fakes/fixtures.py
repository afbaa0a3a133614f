"""pytest fixtures for the tests of the fake itself (tests/test_fake_botapi_*.py).

A test module imports the fixture functions (`bot_fixture`, `world_fixture`,
`ptb_timedelta_fixture`, with `# noqa: F401`: ruff sees no use of them) and requests them by
their pytest names (`bot`, `world`, `ptb_timedelta`). Imported rather than put in conftest.py,
they apply only to the modules that import them: the autouse `ptb_timedelta` stays out of the
rest of the suite.
"""

from collections.abc import AsyncIterator

import pytest
from telegram import Bot

from tests.fakes.request import offline_bot
from tests.fakes.server import FakeBotApiServer
from tests.fakes.world import World, build_world, http_bot


@pytest.fixture(name="ptb_timedelta", autouse=True)
def ptb_timedelta_fixture(monkeypatch: pytest.MonkeyPatch) -> None:
    """PTB 22 warns when RetryAfter is built with int periods; warnings are errors here."""
    monkeypatch.setenv("PTB_TIMEDELTA", "1")


@pytest.fixture(name="world")
def world_fixture() -> World:
    return build_world()


@pytest.fixture(name="bot", params=["in-process", "loopback-http"])
async def bot_fixture(request: pytest.FixtureRequest, world: World) -> AsyncIterator[Bot]:
    """A real `telegram.Bot` on `world.fake`: in process, then over loopback HTTP."""
    if request.param == "in-process":
        async with offline_bot(world.fake) as in_process:
            yield in_process
        return
    with FakeBotApiServer(world.fake) as server:
        async with http_bot(world.fake, server) as over_http:
            yield over_http
