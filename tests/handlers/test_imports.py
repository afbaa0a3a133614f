"""/import in a private chat, through the real Application and the fake Bot API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.fakes import FakeBotApi, FakeChat, FakeUser, SentMessage, entity_for
from tests.handlers.harness import Harness, add_by_operator, running

FIXTURES = Path(__file__).parents[1] / "bot" / "fixtures" / "imports"
GROUP_ID = -1001234567890  # the chat telegram_current.json was exported from


@pytest.fixture
def bob(fake: FakeBotApi) -> FakeUser:
    return fake.add_user(12, "Bob", "bob", language_code="fr")


@pytest.fixture
def group(fake: FakeBotApi, alice: FakeUser, bob: FakeUser) -> FakeChat:
    chat = fake.add_chat(GROUP_ID, "supergroup", "Veille Lyon")
    fake.add_bot_to(chat, "administrator")
    fake.set_member(chat, alice, "administrator")
    fake.set_member(chat, bob, "member")
    return chat


@pytest.fixture
async def harness(tmp_path: Path, fake: FakeBotApi, group: FakeChat) -> AsyncIterator[Harness]:
    async with running(tmp_path, fake) as h:
        other = fake.add_chat(-1001000000999, "supergroup", "Autre groupe")
        for chat in (group, other):
            await add_by_operator(h, chat)
        yield h


async def send_file(
    harness: Harness,
    user: FakeUser,
    fixture: str,
    name: str | None = None,
    size: int | None = None,
) -> SentMessage:
    """`user` sends a fixture file with the caption /import; returns the bot's answer."""
    fake = harness.fake
    file_id = f"file-{fixture}-{user.id}"
    fake.add_file(file_id, (FIXTURES / fixture).read_bytes(), file_name=name or fixture)
    before = len(fake.sent_messages(user.id))
    update = fake.document_message(
        fake.private_chat(user),
        user,
        file_id,
        name or fixture,
        caption="/import",
        size=size,
    )
    await harness.send(update)
    answers = fake.sent_messages(user.id)[before:]
    assert len(answers) == 1
    return answers[0]


def buttons(message: SentMessage) -> list[tuple[str, str]]:
    assert message.reply_markup is not None
    return [
        (button["text"], button["callback_data"])
        for row in message.reply_markup["inline_keyboard"]
        for button in row
    ]


async def test_import_alone_explains_how_to_export(harness: Harness, alice: FakeUser) -> None:
    fake = harness.fake
    command = [entity_for("/import", "/import", "bot_command")]
    await harness.send(fake.message(fake.private_chat(alice), alice, "/import", entities=command))
    [answer] = fake.sent_messages(alice.id)
    assert "Exporter l'historique" in (answer.text or "") and "20 Mo" in (answer.text or "")


async def test_an_admin_imports_a_telegram_export_into_their_group(
    harness: Harness, alice: FakeUser, group: FakeChat
) -> None:
    fake = harness.fake
    question = await send_file(harness, alice, "telegram_current.json", "result.json")
    assert question.text == "Dans quel groupe importer « result.json » ?"
    choices = buttons(question)
    assert [text for text, _ in choices] == ["Veille Lyon", "Annuler"]  # not "Autre groupe"
    await harness.send(fake.callback_query(alice, question, choices[0][1]))
    summary = fake.current_message(alice.id, question.message_id)
    assert summary is not None and summary.text is not None
    assert summary.text.startswith("Import terminé (export Telegram → chat -1001234567890).")
    assert "Liens ajoutés : 5 · déjà connus : 1" in summary.text
    assert "messages de service (1)" in summary.text
    links = await harness.rows("SELECT url FROM links WHERE chat_id = ?", group.id)
    assert len(links) == 5
    # History comes in quietly: nothing said or done in the group.
    assert fake.sent_messages(group.id) == [] and fake.reactions(group.id) == []


async def test_a_member_who_administers_no_group_is_told_so(
    harness: Harness, bob: FakeUser
) -> None:
    answer = await send_file(harness, bob, "telegram_current.json", "result.json")
    assert answer.text is not None and answer.text.startswith("Vous n'administrez aucun groupe")
    assert answer.reply_markup is None


async def test_an_operator_may_pick_any_approved_group(
    harness: Harness, operator: FakeUser
) -> None:
    question = await send_file(harness, operator, "bookmarks_linkding.html")
    assert [text for text, _ in buttons(question)] == ["Autre groupe", "Veille Lyon", "Annuler"]


@pytest.mark.parametrize(
    ("name", "size", "expected"),
    [
        ("result.json", 25 * 1024 * 1024, "Ce fichier fait 25.0 Mo"),
        ("photo.jpg", None, "Je n'importe que les exports JSON"),
    ],
)
async def test_files_the_bot_cannot_take(
    harness: Harness, alice: FakeUser, name: str, size: int | None, expected: str
) -> None:
    answer = await send_file(harness, alice, "telegram_current.json", name, size=size)
    assert answer.text is not None and answer.text.startswith(expected)
    assert harness.fake.calls_to("getFile") == []


async def test_an_export_of_another_chat_is_refused(
    harness: Harness, alice: FakeUser, group: FakeChat
) -> None:
    fake = harness.fake
    question = await send_file(harness, alice, "telegram_old.json", "result.json")
    await harness.send(fake.callback_query(alice, question, buttons(question)[0][1]))
    answer = fake.current_message(alice.id, question.message_id)
    assert answer is not None and answer.text is not None
    assert answer.text.startswith("Cet export est celui de « Collectif Technopolice »")
    assert await harness.rows("SELECT 1 FROM links") == []


async def test_only_the_sender_may_pick_and_a_choice_is_used_once(
    harness: Harness, alice: FakeUser, bob: FakeUser
) -> None:
    fake = harness.fake
    question = await send_file(harness, alice, "bookmarks_linkding.html")
    group_button, cancel = (data for _, data in buttons(question))
    await harness.send(fake.callback_query(bob, question, group_button))
    assert fake.callback_answers()[-1].show_alert
    assert await harness.rows("SELECT 1 FROM links") == []
    await harness.send(fake.callback_query(alice, question, cancel))
    cancelled = fake.current_message(alice.id, question.message_id)
    assert cancelled is not None and cancelled.text == "Import annulé."
    await harness.send(fake.callback_query(alice, question, group_button))
    expired = fake.current_message(alice.id, question.message_id)
    assert expired is not None and (expired.text or "").startswith("Cette demande a expiré")
    assert await harness.rows("SELECT 1 FROM links") == []


async def test_an_admin_demoted_before_choosing_cannot_import(
    harness: Harness, alice: FakeUser, group: FakeChat
) -> None:
    fake = harness.fake
    question = await send_file(harness, alice, "bookmarks_linkding.html")
    fake.set_member(group, alice, "member")
    harness.services.members.invalidate(group.id)
    await harness.send(fake.callback_query(alice, question, buttons(question)[0][1]))
    refusal = fake.callback_answers()[-1]
    assert refusal.show_alert and (refusal.text or "").startswith("Vous n'êtes pas administrateur")
    assert await harness.rows("SELECT 1 FROM links") == []


async def test_bookmarks_sent_to_the_bot_are_the_senders_shares(
    harness: Harness, alice: FakeUser, group: FakeChat
) -> None:
    fake = harness.fake
    question = await send_file(harness, alice, "bookmarks_linkding.html")
    await harness.send(fake.callback_query(alice, question, buttons(question)[0][1]))
    summary = fake.current_message(alice.id, question.message_id)
    assert summary is not None and "Favoris lus : 3" in (summary.text or "")
    shares = await harness.rows("SELECT DISTINCT person_id, message_id, source FROM shares")
    assert [tuple(row) for row in shares] == [(alice.id, 0, "bookmarks")]


async def test_imported_history_runs_none_of_the_capture_hooks(
    tmp_path: Path, fake: FakeBotApi, alice: FakeUser, group: FakeChat
) -> None:
    async with running(tmp_path, fake, fetch_previews=True) as harness:
        await add_by_operator(harness, group)
        assert harness.services.capture.after_save  # live captures would queue previews
        question = await send_file(harness, alice, "telegram_current.json", "result.json")
        await harness.send(fake.callback_query(alice, question, buttons(question)[0][1]))
        assert len(await harness.rows("SELECT 1 FROM links")) == 5
        assert await harness.rows("SELECT 1 FROM preview_jobs") == []
