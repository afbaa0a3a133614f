"""Property-based checks of the pure capture pipeline (bounded, so the suite stays fast)."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.access import ChatRef
from bot.capture import IncomingMessage, build_share
from bot.classify import default_rules
from bot.entities import Entity, detect_entities
from bot.extract import extract
from bot.urls import is_tracking_param, normalize_url

FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

URL_PIECES = st.sampled_from(
    [
        "https://",
        "http://",
        "HTTPS://",
        "javascript:",
        "data:",
        "tg://",
        "file:///",
        "www.",
        "lemonde.fr",
        "exemple.français",
        "[::1]",
        "127.0.0.1",
        "xn--",
        ":8080",
        ":443",
        "/",
        "/a/../b",
        "%2F",
        "%E9",
        "?",
        "&",
        "=",
        "#",
        "#!/",
        "utm_source=x",
        "fbclid=1",
        "xtor=RSS-3",
        "id=4",
        "q=é",
        "\u200b",
        "\u202e",
        " ",
        "\n",
        "\x00",
        "é",
        "🔥",
        "@",
        "user:pass@",
        "..",
        "\\",
    ]
)
URLISH = st.lists(URL_PIECES, max_size=12).map("".join)
TEXT = st.one_of(
    st.text(max_size=300),
    URLISH,
    st.lists(st.one_of(URLISH, st.text(max_size=20)), max_size=8).map(" ".join),
)
ENTITY = st.builds(
    Entity,
    type=st.sampled_from(["url", "text_link", "hashtag", "bold", "mention"]),
    offset=st.integers(-5, 400),
    length=st.integers(-5, 400),
    url=st.one_of(st.none(), URLISH),
)


@FAST
@given(TEXT, st.one_of(st.none(), st.lists(ENTITY, max_size=6)))
def test_extraction_never_raises(text: str, entities: list[Entity] | None) -> None:
    found = extract(text, entities)
    assert found.skipped_entities >= 0
    assert all(isinstance(url, str) for url in found.urls)


@FAST
@given(TEXT)
def test_detection_returns_spans_inside_the_text(text: str) -> None:
    size = len(text.encode("utf-16-le")) // 2
    for entity in detect_entities(text):
        assert entity.offset >= 0 and entity.offset + entity.length <= size


@FAST
@given(URLISH)
def test_normalising_twice_changes_nothing(raw: str) -> None:
    once = normalize_url(raw)
    if once is not None:
        assert normalize_url(once) == once


@FAST
@given(TEXT, st.one_of(st.none(), st.lists(ENTITY, max_size=6)))
def test_every_stored_url_is_http_without_trackers(
    text: str, entities: list[Entity] | None
) -> None:
    message = IncomingMessage(
        chat=ChatRef(-1001, "supergroup", "g"),
        message_id=1,
        date=0,
        text=text,
        entities=tuple(entities) if entities else None,
    )
    share, _ = build_share(message, default_rules())
    for link in share.links:
        parts = urlsplit(link.url)
        assert parts.scheme in ("http", "https")
        assert parts.hostname
        host = parts.hostname
        names = [name for name, _ in parse_qsl(parts.query, keep_blank_values=True)]
        assert not [name for name in names if is_tracking_param(name, host)]
        assert link.kind in ("link", "petition", "campaign")
