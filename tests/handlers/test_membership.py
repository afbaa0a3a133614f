"""Chat approval, lifecycle and migrations through the real Application."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fakes import FakeBotApi, FakeChat, FakeUser
from tests.handlers.harness import OPERATOR_ID, Harness, running


@pytest.fixture
def fake() -> FakeBotApi:
    return FakeBotApi(can_read_all_group_messages=False)


@pytest.fixture
def operator(fake: FakeBotApi) -> FakeUser:
    return fake.add_user(OPERATOR_ID, "Opératrice", "ope", language_code="fr")


@pytest.fixture
def member(fake: FakeBotApi) -> FakeUser:
    return fake.add_user(33, "Membre", "membre", language_code="fr")


@pytest.fixture
def group(fake: FakeBotApi) -> FakeChat:
    return fake.add_chat(-1001000000222, "supergroup", "Collectif « Technopolice »")


async def _status(h: Harness, chat_id: int) -> tuple[str, int] | None:
    rows = await h.rows("SELECT status, active FROM chats WHERE id = ?", chat_id)
    return (rows[0]["status"], rows[0]["active"]) if rows else None


async def test_added_by_an_operator_is_approved_at_once(
    harness: Harness, fake: FakeBotApi, group: FakeChat, operator: FakeUser, member: FakeUser
) -> None:
    await harness.send(fake.my_chat_member(group, operator, "left", "administrator"))
    assert await _status(harness, group.id) == ("approved", 1)
    await harness.send(fake.message(group, member, "https://example.org/ok"))
    assert len(await harness.rows("SELECT * FROM links")) == 1


async def test_added_by_someone_else_waits_for_an_operator_and_stores_nothing(
    harness: Harness, fake: FakeBotApi, group: FakeChat, operator: FakeUser, member: FakeUser
) -> None:
    fake.private_chat(operator)
    await harness.send(fake.my_chat_member(group, member, "left", "member"))
    assert await _status(harness, group.id) == ("pending", 1)
    [ask] = fake.sent_messages(OPERATOR_ID)
    assert ask.text is not None and "Technopolice" in ask.text and "par Membre" in ask.text
    assert ask.reply_markup is not None
    buttons = ask.reply_markup["inline_keyboard"][0]
    assert [b["callback_data"] for b in buttons] == [f"acc:y:{group.id}", f"acc:n:{group.id}"]
    said = [m.text for m in fake.sent_messages(group.id)]
    assert any("opérateur" in (text or "") for text in said)  # the group knows it waits
    await harness.send(fake.message(group, member, "https://example.org/pending"))
    assert await harness.rows("SELECT * FROM links") == []

    await harness.send(fake.callback_query(operator, ask, f"acc:y:{group.id}"))
    assert await _status(harness, group.id) == ("approved", 1)
    edited = fake.current_message(OPERATOR_ID, ask.message_id)
    assert edited is not None and "accepté" in (edited.text or "")
    await harness.send(fake.message(group, member, "https://example.org/approved"))
    assert len(await harness.rows("SELECT * FROM links")) == 1


async def test_deny_makes_the_bot_leave(
    harness: Harness, fake: FakeBotApi, group: FakeChat, operator: FakeUser, member: FakeUser
) -> None:
    fake.private_chat(operator)
    await harness.send(fake.my_chat_member(group, member, "left", "member"))
    [ask] = fake.sent_messages(OPERATOR_ID)
    await harness.send(fake.callback_query(operator, ask, f"acc:n:{group.id}"))
    assert await _status(harness, group.id) == ("denied", 0)
    assert group.id in fake.left_chats()


async def test_only_operators_can_press_the_buttons(
    harness: Harness, fake: FakeBotApi, group: FakeChat, operator: FakeUser, member: FakeUser
) -> None:
    fake.private_chat(operator)
    await harness.send(fake.my_chat_member(group, member, "left", "member"))
    [ask] = fake.sent_messages(OPERATOR_ID)
    await harness.send(fake.callback_query(member, ask, f"acc:y:{group.id}"))
    assert await _status(harness, group.id) == ("pending", 1)
    [answer] = fake.callback_answers()
    assert answer.show_alert and "opérateurs" in (answer.text or "")


async def test_open_registration_approves_every_chat(
    tmp_path: Path, fake: FakeBotApi, group: FakeChat, member: FakeUser
) -> None:
    async with running(tmp_path, fake, open_registration=True) as harness:
        await harness.send(fake.my_chat_member(group, member, "left", "administrator"))
        assert await _status(harness, group.id) == ("approved", 1)


async def test_a_chat_first_heard_of_through_a_message_follows_the_same_rule(
    harness: Harness, fake: FakeBotApi, group: FakeChat, operator: FakeUser, member: FakeUser
) -> None:
    fake.private_chat(operator)
    fake.add_bot_to(group, "administrator")
    await harness.send(fake.message(group, member, "https://example.org/early"))
    assert await _status(harness, group.id) == ("pending", 1)
    assert await harness.rows("SELECT * FROM links") == []
    assert len(fake.sent_messages(OPERATOR_ID)) == 1
    await harness.send(fake.message(group, member, "https://example.org/again"))
    assert len(fake.sent_messages(OPERATOR_ID)) == 1  # asked once


async def test_removed_bot_marks_the_chat_inactive_and_keeps_its_links(
    harness: Harness, fake: FakeBotApi, group: FakeChat, operator: FakeUser, member: FakeUser
) -> None:
    await harness.send(fake.my_chat_member(group, operator, "left", "administrator"))
    await harness.send(fake.message(group, member, "https://example.org/kept"))
    await harness.send(fake.my_chat_member(group, operator, "administrator", "kicked"))
    assert await _status(harness, group.id) == ("approved", 0)
    assert len(await harness.rows("SELECT * FROM links")) == 1


async def test_privacy_mode_warning_is_said_once_in_the_groups_language(
    harness: Harness, fake: FakeBotApi, group: FakeChat, operator: FakeUser
) -> None:
    await harness.send(fake.my_chat_member(group, operator, "left", "member"))
    await harness.send(fake.my_chat_member(group, operator, "member", "restricted"))
    warnings = [m for m in fake.sent_messages(group.id) if "confidentialité" in (m.text or "")]
    assert len(warnings) == 1
    assert "/setprivacy" in (warnings[0].text or "")


async def test_no_privacy_warning_when_the_bot_is_admin(
    harness: Harness, fake: FakeBotApi, group: FakeChat, operator: FakeUser
) -> None:
    await harness.send(fake.my_chat_member(group, operator, "left", "administrator"))
    assert not [m for m in fake.sent_messages(group.id) if "confidentialité" in (m.text or "")]


async def test_a_migrated_group_keeps_its_links_under_the_new_id(
    harness: Harness, fake: FakeBotApi, operator: FakeUser, member: FakeUser
) -> None:
    old = fake.add_chat(-4000111, "group", "Petit groupe")
    new = fake.add_chat(-1001000000333, "supergroup", "Petit groupe")
    await harness.send(fake.my_chat_member(old, operator, "left", "administrator"))
    await harness.send(fake.message(old, member, "https://example.org/before #avant"))
    await harness.send(*fake.migrate(old, new))
    await harness.send(fake.message(new, member, "https://example.org/after"))
    links = await harness.rows("SELECT url, chat_id FROM links ORDER BY id")
    assert [(r["url"], r["chat_id"]) for r in links] == [
        ("https://example.org/before", new.id),
        ("https://example.org/after", new.id),
    ]
    assert await _status(harness, new.id) == ("approved", 1)
    assert await _status(harness, old.id) is None
