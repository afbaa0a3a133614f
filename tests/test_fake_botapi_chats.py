"""The fake Bot API's chats, members and the messages the bot sent (edits, deletions, answers)."""

from typing import Any

import pytest
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllGroupChats,
    ChatFullInfo,
    ChatMemberAdministrator,
    ChatMemberBanned,
    ChatMemberLeft,
    ChatMemberMember,
    ChatMemberOwner,
    ChatMemberRestricted,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    Message,
    TelegramObject,
)
from telegram.error import BadRequest, Forbidden

from tests.fakes.fixtures import bot_fixture, ptb_timedelta_fixture, world_fixture  # noqa: F401 (fixtures)
from tests.fakes.world import World, leftovers

# --- chats and members ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "rights", "kind"),
    [
        ("creator", None, ChatMemberOwner),
        ("administrator", ["can_change_info"], ChatMemberAdministrator),
        ("member", None, ChatMemberMember),
        ("restricted", None, ChatMemberRestricted),
        ("left", None, ChatMemberLeft),
        ("kicked", None, ChatMemberBanned),
    ],
)
async def test_get_chat_member_parses_each_status(
    bot: Bot, world: World, status: Any, rights: list[str] | None, kind: type[TelegramObject]
) -> None:
    world.fake.set_member(world.group, world.leila, status, rights)
    member = await bot.get_chat_member(world.group.id, world.leila.id)
    assert type(member) is kind
    assert (member.user.first_name, leftovers(member)) == ("ليلى", [])
    if isinstance(member, ChatMemberAdministrator):
        assert (member.can_change_info, member.can_delete_messages) == (True, False)


async def test_channel_admin_rights_and_unknown_members(bot: Bot, world: World) -> None:
    me = await bot.get_chat_member(world.channel.id, world.fake.bot_user.id)
    assert isinstance(me, ChatMemberAdministrator)
    assert (me.can_post_messages, me.can_edit_messages, me.can_pin_messages) == (True, True, None)
    stranger = await bot.get_chat_member(world.group.id, world.leila.id)
    assert isinstance(stranger, ChatMemberLeft)
    with pytest.raises(BadRequest, match="User not found"):
        await bot.get_chat_member(world.group.id, 999_999)


async def test_administrators_and_member_count(bot: Bot, world: World) -> None:
    admins = await bot.get_chat_administrators(world.group.id)
    assert [(a.user.id, a.status) for a in admins] == [
        (world.alice.id, "creator"),
        (world.fake.bot_user.id, "administrator"),
    ]
    assert await bot.get_chat_member_count(world.group.id) == 3
    private = world.fake.private_chat(world.bob)
    assert await bot.get_chat_member_count(private.id) == 2
    with pytest.raises(BadRequest, match="no administrators in the private chat"):
        await bot.get_chat_administrators(private.id)


@pytest.mark.parametrize("which", ["group", "basic", "channel", "private"])
async def test_get_chat_parses_a_full_info(bot: Bot, world: World, which: str) -> None:
    chats = {"group": world.group, "basic": world.basic, "channel": world.channel}
    chat = chats.get(which) or world.fake.private_chat(world.leila)
    info = await bot.get_chat(chat.id)
    assert isinstance(info, ChatFullInfo)
    assert (info.id, info.type, info.title, info.first_name) == (
        chat.id,
        chat.type,
        chat.title,
        chat.first_name,
    )
    assert leftovers(info) == []


async def test_leave_chat_is_recorded_and_then_forbidden(bot: Bot, world: World) -> None:
    assert await bot.leave_chat(world.basic.id) is True
    assert world.fake.left_chats() == [world.basic.id]
    with pytest.raises(Forbidden, match="not a member of the group chat"):
        await bot.send_message(world.basic.id, "encore là ?")


# --- messages after sending -------------------------------------------------------------------


async def test_edit_and_not_modified(bot: Bot, world: World) -> None:
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("2 ▶", callback_data="p:2")]])
    sent = await bot.send_message(world.group.id, "page 1", reply_markup=keyboard)
    edited = await bot.edit_message_text("page 1", world.group.id, sent.message_id)
    assert isinstance(edited, Message)
    assert (edited.text, edited.reply_markup, edited.edit_date is not None) == (
        "page 1",
        None,
        True,
    )
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_text("page 1", world.group.id, sent.message_id)
    await bot.edit_message_reply_markup(world.group.id, sent.message_id, reply_markup=keyboard)
    current = world.fake.current_message(world.group.id, sent.message_id)
    assert current is not None
    assert (current.text, current.reply_markup, current.edited) == (
        "page 1",
        keyboard.to_dict(),
        True,
    )
    assert len(world.fake.edits(world.group.id)) == 2


async def test_delete_needs_rights_for_other_peoples_messages(bot: Bot, world: World) -> None:
    in_group = world.fake.message(world.group, world.bob, "spam")["message"]["message_id"]
    in_basic = world.fake.message(world.basic, world.bob, "spam")["message"]["message_id"]
    assert await bot.delete_message(world.group.id, in_group) is True
    with pytest.raises(BadRequest, match="Message can't be deleted"):
        await bot.delete_message(world.basic.id, in_basic)
    with pytest.raises(BadRequest, match="Message to delete not found"):
        await bot.delete_message(world.group.id, in_group)
    own = await bot.send_message(world.basic.id, "à moi")
    assert await bot.delete_message(world.basic.id, own.message_id) is True
    assert world.fake.current_message(world.basic.id, own.message_id) is None
    assert [(d.chat_id, d.message_id) for d in world.fake.deletions()] == [
        (world.group.id, in_group),
        (world.basic.id, own.message_id),
    ]


@pytest.mark.parametrize(
    ("reaction", "error"),
    [("👍", None), ("🔥", None), ("✅", "Reaction_invalid"), ("👌🏽", "Reaction_invalid")],
)
async def test_reactions_use_telegrams_emoji_list(
    bot: Bot, world: World, reaction: str, error: str | None
) -> None:
    shared = world.fake.message(world.group, world.bob, "https://exemple.fr")
    message_id = shared["message"]["message_id"]
    if error is None:
        assert await bot.set_message_reaction(world.group.id, message_id, reaction) is True
        assert [r.emojis for r in world.fake.reactions(world.group.id)] == [(reaction,)]
        return
    with pytest.raises(BadRequest, match=error):
        await bot.set_message_reaction(world.group.id, message_id, reaction)


async def test_callback_and_inline_answers_are_once_only(bot: Bot, world: World) -> None:
    sent = await bot.send_message(world.group.id, "résultats")
    press = world.fake.callback_query(world.bob, world.fake.sent_messages()[-1], "p:2")
    query_id = press["callback_query"]["id"]
    assert press["callback_query"]["message"]["message_id"] == sent.message_id
    assert await bot.answer_callback_query(query_id, "Page 2", show_alert=True) is True
    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_callback_query(query_id)
    inline_id = world.fake.inline_query(world.leila, "#climat")["inline_query"]["id"]
    article = InlineQueryResultArticle("r1", "Climat", InputTextMessageContent("#climat"))
    assert await bot.answer_inline_query(inline_id, [article], next_offset="10") is True
    answer = world.fake.inline_answers()[0]
    assert (answer.inline_query_id, answer.results[0]["id"], answer.next_offset) == (
        inline_id,
        "r1",
        "10",
    )
    assert world.fake.callback_answers()[0].text == "Page 2"


async def test_commands_are_kept_per_scope_and_language(bot: Bot, world: World) -> None:
    groups = BotCommandScopeAllGroupChats()
    commands = [BotCommand("search", "Chercher un lien"), BotCommand("forgetme", "Tout oublier")]
    assert await bot.set_my_commands(commands, scope=groups, language_code="fr") is True
    assert await bot.get_my_commands(scope=groups, language_code="fr") == tuple(commands)
    assert await bot.get_my_commands(scope=groups) == ()
    assert world.fake.commands(groups.to_dict(), "fr") == [
        ("search", "Chercher un lien"),
        ("forgetme", "Tout oublier"),
    ]
    assert await bot.delete_my_commands(scope=groups, language_code="fr") is True
    assert world.fake.commands(groups.to_dict(), "fr") == []
    with pytest.raises(BadRequest, match="Bot_command_invalid"):
        await bot.set_my_commands([BotCommand("Search", "majuscule interdite")])


@pytest.mark.parametrize(
    ("data", "name"),
    [(b"%PDF-1.4\r\n--boundary?\xff\x00", 'rapport "final" é.pdf'), (b"", "vide.txt")],
)
async def test_files_round_trip(bot: Bot, world: World, data: bytes, name: str) -> None:
    world.fake.add_file("BQACAgQAAxkBAAIB", data, file_name=name)
    file = await bot.get_file("BQACAgQAAxkBAAIB")
    assert (file.file_size, bytes(await file.download_as_bytearray())) == (len(data), data)
    sent = await bot.send_document(world.group.id, data, filename=name, caption="Le rapport")
    assert sent.document is not None
    assert (sent.document.file_name, sent.document.file_size, sent.caption) == (
        name,
        len(data),
        "Le rapport",
    )
    stored = world.fake.sent_messages()[-1].document
    assert stored is not None
    assert stored.data == data
    with pytest.raises(BadRequest, match="Invalid file_id"):
        await bot.get_file("nope")
