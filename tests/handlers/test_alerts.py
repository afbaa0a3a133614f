"""Alerts through the real Application: shares announced, subscriptions, rights, /status."""

from __future__ import annotations

from typing import Any

import pytest

from tests.fakes import FakeBotApi, FakeChat, FakeUser, entity_for
from tests.fakes.world import eventually
from tests.handlers.harness import Harness, command, last

pytestmark = pytest.mark.usefixtures("private_chats")  # notices reach everyone here

PETITION = "https://www.change.org/p/stop-vsa"


async def group(
    h: Harness, operator: FakeUser, chat_id: int, title: str, username: str | None = None
) -> FakeChat:
    chat = h.fake.add_chat(chat_id, "supergroup", title, username)
    await h.send(h.fake.my_chat_member(chat, operator, "left", "administrator"))
    return chat


async def channel(
    h: Harness, operator: FakeUser, chat_id: int, username: str, *, can_post: bool = True
) -> FakeChat:
    chat = h.fake.add_chat(chat_id, "channel", f"Canal {username}", username)
    rights = ["can_post_messages"] if can_post else ["can_edit_messages"]
    await h.send(h.fake.my_chat_member(chat, operator, "left", "administrator", rights))
    return chat


def share(fake: FakeBotApi, chat: FakeChat, user: FakeUser, text: str) -> dict[str, Any]:
    entities = [entity_for(text, word, "hashtag") for word in text.split() if word[0] == "#"]
    url = next(word for word in text.split() if word.startswith("https://"))
    return fake.message(chat, user, text, entities=[*entities, entity_for(text, url, "url")])


async def drained(h: Harness) -> None:
    await eventually(h.services.alerts.worker.is_idle, within=10.0)


def announcements(fake: FakeBotApi, chat: FakeChat) -> list[str]:
    return [m.text or "" for m in fake.sent_messages(chat.id) if PETITION in (m.text or "")]


def last_reply(fake: FakeBotApi, chat: FakeChat | FakeUser) -> str:
    return last(fake, chat).text or ""


async def test_a_petition_reaches_matching_channels_once_whoever_shares_it_again(
    harness: Harness, fake: FakeBotApi, operator: FakeUser, alice: FakeUser
) -> None:
    a = await group(harness, operator, -1001000000701, "Veille Lyon", "veille_lyon")
    b = await group(harness, operator, -1001000000702, "Collectif privé")
    x = await channel(harness, operator, -1001000000711, "x_petitions")
    y = await channel(harness, operator, -1001000000712, "y_tout")
    z = await channel(harness, operator, -1001000000713, "z_campagnes")
    await harness.send(command(fake, x, None, "/subscribe pétitions #surveillance"))
    await harness.send(command(fake, y, None, "/subscribe"))
    await harness.send(command(fake, z, None, "/subscribe campagnes"))
    assert "C'est noté : <b>@x_petitions</b> recevra les pétitions marquées #surveillance" in (
        last_reply(fake, x)
    )
    await harness.send(share(fake, a, alice, f"Signez ! #Surveillance #VSA {PETITION}"))
    await drained(harness)
    [to_x] = announcements(fake, x)
    assert to_x.startswith("<b>🖊 Pétition</b>\n<b>Signez !</b>\n" + PETITION)
    assert "#Surveillance #VSA" in to_x
    assert '<i>Partagée dans <a href="https://t.me/veille_lyon">Veille Lyon</a></i>' in to_x
    assert len(announcements(fake, y)) == 1 and announcements(fake, z) == []
    calls = len(fake.calls_to("sendMessage"))
    await harness.send(share(fake, b, alice, f"À signer #petition {PETITION}"))
    await drained(harness)
    assert len(fake.calls_to("sendMessage")) == calls  # nothing new anywhere


async def test_a_private_group_is_never_named(
    harness: Harness, fake: FakeBotApi, operator: FakeUser, alice: FakeUser
) -> None:
    quiet = await group(harness, operator, -1001000000703, "Réunion secrète")
    x = await channel(harness, operator, -1001000000711, "x_petitions")
    await harness.send(command(fake, x, None, "/subscribe"))
    await harness.send(share(fake, quiet, alice, f"#signez {PETITION}"))
    await drained(harness)
    [text] = announcements(fake, x)
    assert "Partagée dans la communauté" in text and "secrète" not in text


async def test_alerts_off_stops_announcements_and_only_admins_switch(
    harness: Harness, fake: FakeBotApi, operator: FakeUser, alice: FakeUser, bob: FakeUser
) -> None:
    a = await group(harness, operator, -1001000000701, "Veille Lyon")
    fake.set_member(a, alice, "administrator")
    x = await channel(harness, operator, -1001000000711, "x_petitions")
    await harness.send(command(fake, x, None, "/subscribe"))
    await harness.send(command(fake, a, bob, "/alerts off"))
    assert (
        last_reply(fake, a) == "Seuls les administrateurs de ce groupe peuvent changer ce réglage."
    )
    await harness.send(command(fake, a, alice, "/alerts off"))
    assert "rien de ce qui est partagé ici ne sera annoncé" in last_reply(fake, a)
    await harness.send(share(fake, a, bob, f"#petition {PETITION}"))
    await drained(harness)
    assert announcements(fake, x) == []
    await harness.send(command(fake, a, bob, "/alerts"))
    assert "actuellement : désactivées" in last_reply(fake, a)
    await harness.send(command(fake, a, alice, "/alerts on"))
    await harness.send(share(fake, a, bob, f"#petition {PETITION}?v=2"))
    await drained(harness)
    assert len(fake.sent_messages(x.id)) == 2  # the /subscribe answer and the announcement


async def test_subscribing_a_channel_from_a_private_chat_is_checked_with_telegram(
    harness: Harness, fake: FakeBotApi, operator: FakeUser, alice: FakeUser, bob: FakeUser
) -> None:
    x = await channel(harness, operator, -1001000000711, "x_petitions")
    mute = await channel(harness, operator, -1001000000712, "sans_droit", can_post=False)
    for chat in (x, mute):
        fake.set_member(chat, alice, "administrator")
    fake.set_member(x, bob, "member")
    private = fake.private_chat(alice)
    bobs = fake.private_chat(bob)
    await harness.send(command(fake, bobs, bob, "/subscribe @x_petitions"))
    assert "Refusé : vous n'êtes pas administrateur de <b>@x_petitions</b>." in (
        last_reply(fake, bob)
    )
    await harness.send(command(fake, private, alice, "/subscribe @sans_droit"))
    assert "Refusé : je ne peux pas publier dans <b>@sans_droit</b>" in last_reply(fake, alice)
    await harness.send(command(fake, private, alice, "/subscribe @inconnu"))
    assert "je ne trouve pas le canal <b>@inconnu</b>" in last_reply(fake, alice)
    fake.add_chat(-1001000000713, "channel", "Ailleurs", "ailleurs")  # the bot is not in it
    await harness.send(command(fake, private, alice, "/subscribe @ailleurs"))
    assert "je ne peux pas publier dans <b>@ailleurs</b>" in last_reply(fake, alice)
    await harness.send(command(fake, private, alice, "/subscribe @x_petitions pétitions #vsa"))
    assert "recevra les pétitions marquées #vsa" in last_reply(fake, alice)
    [row] = await harness.rows("SELECT chat_id, kinds, subscribed_by, active FROM subscriptions")
    assert tuple(row) == (x.id, "petition", alice.id, 1)
    await harness.send(command(fake, private, alice, "/subscriptions"))
    assert "<b>@x_petitions</b> reçoit les pétitions marquées #vsa" in last_reply(fake, alice)


async def test_group_admins_subscribe_their_group_members_cannot(
    harness: Harness, fake: FakeBotApi, operator: FakeUser, alice: FakeUser, bob: FakeUser
) -> None:
    a = await group(harness, operator, -1001000000701, "Veille Lyon")
    fake.set_member(a, alice, "administrator")
    fake.set_member(a, bob, "member")
    await harness.send(command(fake, a, bob, "/subscribe campagnes"))
    assert "Refusé : vous n'êtes pas administrateur" in last_reply(fake, a)
    await harness.send(command(fake, a, alice, "/subscribe campagnes"))
    assert "recevra les campagnes" in last_reply(fake, a)
    await harness.send(command(fake, a, bob, "/unsubscribe"))
    assert "Refusé" in last_reply(fake, a)
    await harness.send(command(fake, a, bob, "/subscriptions"))  # anyone may look
    assert last_reply(fake, a) == "<b>Veille Lyon</b> reçoit les campagnes."
    await harness.send(command(fake, a, alice, "/unsubscribe"))
    assert "ne recevra plus d'annonces" in last_reply(fake, a)


async def test_a_chat_shares_are_not_announced_back_to_it(
    harness: Harness, fake: FakeBotApi, operator: FakeUser, alice: FakeUser
) -> None:
    a = await group(harness, operator, -1001000000701, "Veille Lyon")
    fake.set_member(a, alice, "creator")
    await harness.send(command(fake, a, alice, "/subscribe"))
    await harness.send(share(fake, a, alice, f"#petition {PETITION}"))
    await drained(harness)
    assert announcements(fake, a) == []


async def test_refusals_say_why(
    harness: Harness, fake: FakeBotApi, operator: FakeUser, alice: FakeUser
) -> None:
    pending = fake.add_chat(-1001000000719, "channel", "En attente", "en_attente")
    await harness.send(fake.my_chat_member(pending, alice, "left", "administrator"))
    await harness.send(command(fake, pending, None, "/subscribe"))
    assert "attend encore l'accord d'un opérateur" in last_reply(fake, pending)
    private = fake.private_chat(alice)
    await harness.send(command(fake, private, alice, "/subscribe pétitions"))
    assert "dites-moi quel canal abonner" in last_reply(fake, alice)
    await harness.send(command(fake, private, alice, "/subscribe @x petitons"))
    assert last_reply(fake, alice).startswith("Je ne comprends pas « petitons ».")
    await harness.send(command(fake, private, alice, "/alerts off"))
    assert last_reply(fake, alice) == "Cette commande s'utilise dans un groupe ou un canal."


async def test_removing_the_bot_ends_the_subscription_and_tells_who_subscribed(
    harness: Harness, fake: FakeBotApi, operator: FakeUser, alice: FakeUser
) -> None:
    x = await channel(harness, operator, -1001000000711, "x_petitions")
    fake.set_member(x, alice, "creator")
    await harness.send(command(fake, fake.private_chat(alice), alice, "/subscribe @x_petitions"))
    await harness.send(fake.my_chat_member(x, alice, "administrator", "left"))
    [row] = await harness.rows("SELECT active, ended_reason FROM subscriptions")
    assert tuple(row) == (0, "removed")
    assert "Je ne peux plus publier dans <b>Canal x_petitions</b> (j'en ai été retiré)" in (
        last_reply(fake, alice)
    )


async def test_a_channel_that_takes_the_right_to_post_away_is_unsubscribed(
    harness: Harness, fake: FakeBotApi, operator: FakeUser
) -> None:
    x = await channel(harness, operator, -1001000000711, "x_petitions")
    await harness.send(command(fake, x, None, "/subscribe"))
    demoted = ["can_edit_messages"]
    await harness.send(fake.my_chat_member(x, operator, "administrator", "administrator", demoted))
    [row] = await harness.rows("SELECT active, ended_reason FROM subscriptions")
    assert tuple(row) == (0, "cannot_post")


async def test_status_is_for_operators_in_private(
    harness: Harness, fake: FakeBotApi, operator: FakeUser, alice: FakeUser
) -> None:
    a = await group(harness, operator, -1001000000701, "Veille Lyon")
    x = await channel(harness, operator, -1001000000711, "x_petitions")
    await harness.send(command(fake, x, None, "/subscribe"))
    await harness.send(share(fake, a, alice, f"#petition {PETITION}"))
    await drained(harness)
    await harness.send(command(fake, fake.private_chat(alice), alice, "/status"))
    assert last_reply(fake, alice) == "Réservé aux opérateurs de cette instance."
    await harness.send(command(fake, a, operator, "/status"))
    assert last_reply(fake, a) == "/status s'utilise en message privé avec moi."
    await harness.send(command(fake, fake.private_chat(operator), operator, "/status"))
    report = last_reply(fake, operator)
    assert report.startswith("<b>État de Veille</b>\nGroupes et canaux : 2 acceptés")
    assert "Liens : 1 (1 pétitions, 0 campagnes)" in report
    assert "Abonnements : 1 actifs, 0 suspendus ; annonces : 1" in report
    assert "Envois : 1 envoyés" in report and "Aucune erreur récente." in report
