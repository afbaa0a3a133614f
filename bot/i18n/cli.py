"""Texts of the `veille` command line (in the deployment's default language)."""

from bot.i18n import Text

MIGRATED = Text(fr="migrations appliquées : {names}", en="applied: {names}")
UP_TO_DATE = Text(fr="la base est à jour", en="database is up to date")
NO_CHAT = Text(fr="aucun chat {chat_id} dans {path}", en="no chat {chat_id} in {path}")
PURGE_CONFIRM = Text(
    fr="Effacer le chat {chat_id} ({title}) : {links} liens, {shares} partages ? [o/N] ",
    en="Erase chat {chat_id} ({title}): {links} links, {shares} shares? [y/N] ",
)
NOTHING_ERASED = Text(fr="rien n'a été effacé", en="nothing erased")
ERASED = Text(
    fr="chat {chat_id} effacé : {links} liens, {shares} partages",
    en="erased chat {chat_id}: {links} links, {shares} shares",
)
NEEDS_YES = Text(
    fr="refus d'effacer sans --yes (l'entrée n'est pas un terminal)",
    en="refusing to erase without --yes (stdin is not a terminal)",
)
REINDEXED = Text(
    fr="index de recherche reconstruit : {count} liens en {seconds} s",
    en="search index rebuilt: {count} links in {seconds} s",
)
TOKEN_REJECTED = Text(
    fr="Telegram refuse VEILLE_BOT_TOKEN ; copiez-le à nouveau depuis @BotFather.",
    en="Telegram rejected VEILLE_BOT_TOKEN; copy it again from @BotFather.",
)
API_UNREACHABLE = Text(
    fr="impossible de joindre l'API des bots à {url} : {error}",
    en="cannot reach the Bot API at {url}: {error}",
)
