"""/feed's words, in French and English."""

from __future__ import annotations

import pytest

from bot.feed_args import FeedArgs, FeedArgsError, parse_feed_args

URL = "https://libertes.example.org/feed.xml"


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ([], FeedArgs("help")),
        (["aide"], FeedArgs("help")),
        (["list"], FeedArgs("list")),
        (["Liste"], FeedArgs("list")),
        (["add", URL], FeedArgs("add", url=URL)),
        (
            ["ajouter", URL, "pétitions", "#VSA", "#Vidéosurveillance", "exemple"],
            FeedArgs(
                "add",
                url=URL,
                kind="petition",
                tags=(("vsa", "VSA"), ("videosurveillance", "Vidéosurveillance")),
                sample=True,
            ),
        ),
        (
            ["add", "@canal_vigie", URL, "campaigns"],
            FeedArgs("add", "@canal_vigie", URL, "campaign"),
        ),
        (
            ["add", "-1001234", URL, "auto", "sample"],
            FeedArgs("add", "-1001234", URL, sample=True),
        ),
        (["remove", "12"], FeedArgs("remove", feed_id=12)),
        (["supprimer", "#12"], FeedArgs("remove", feed_id=12)),
        (["public", "3"], FeedArgs("public", feed_id=3)),
        (["privé", "3"], FeedArgs("private", feed_id=3)),
        (["reprendre", "7"], FeedArgs("resume", feed_id=7)),
        (["interval", "7", "30"], FeedArgs("interval", feed_id=7, interval=1800)),
        (["intervalle", "7", "10", "min"], FeedArgs("interval", feed_id=7, interval=600)),
        (["interval", "7", "2h"], FeedArgs("interval", feed_id=7, interval=7200)),
    ],
)
def test_parse(words: list[str], expected: FeedArgs) -> None:
    assert parse_feed_args(words) == expected


@pytest.mark.parametrize(
    ("words", "bad"),
    [
        (["subscribe"], "subscribe"),
        (["add"], "add"),
        (["add", "@canal"], "add"),
        (["add", URL, "pétitionz"], "pétitionz"),
        (["add", URL, "#"], "#"),
        (["add", "#vsa"], "#vsa"),
        (["list", "tout"], "tout"),
        (["remove"], "remove"),
        (["remove", "douze"], "douze"),
        (["remove", "1", "2"], "2"),
        (["interval", "1"], "interval"),
        (["interval", "1", "souvent"], "souvent"),
    ],
)
def test_unknown_words_are_refused(words: list[str], bad: str) -> None:
    with pytest.raises(FeedArgsError) as raised:
        parse_feed_args(words)
    assert raised.value.word == bad


def test_tags_are_capped() -> None:
    parsed = parse_feed_args(["add", URL, *(f"#t{n}" for n in range(30))])
    assert len(parsed.tags) == 10
