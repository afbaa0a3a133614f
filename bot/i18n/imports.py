"""Texts of imports: the /import flow in private chat and the summary (bot and command line)."""

from bot.i18n import Text

COMMAND = Text(
    fr="importer l'historique d'un groupe (export Telegram Desktop, favoris)",
    en="import a group's history (Telegram Desktop export, bookmarks)",
)

HOW_TO = Text(
    fr=(
        "<b>Importer l'historique d'un groupe</b>\n"
        "1. Dans Telegram Desktop, ouvrez le groupe → ⋮ → <i>Exporter l'historique</i> : "
        "décochez les médias, format <b>JSON</b> (lisible par machine).\n"
        "2. Envoyez-moi ici le fichier <code>result.json</code> avec la légende "
        "<code>/import</code>.\n"
        "3. Choisissez le groupe : je garde chaque lien avec ses #hashtags, son auteur et sa "
        "date, sans rien poster dans le groupe.\n\n"
        "Les fichiers de favoris (.html : navigateur, Shaarli, linkding, Pocket) marchent "
        "aussi. Limite : {limit} Mo ; au-delà, un opérateur peut lancer "
        "<code>veille import</code> sur le serveur. Importer deux fois le même fichier "
        "n'ajoute rien."
    ),
    en=(
        "<b>Importing a group's history</b>\n"
        "1. In Telegram Desktop, open the group → ⋮ → <i>Export chat history</i>: untick "
        "media, format <b>JSON</b> (machine-readable).\n"
        "2. Send me the <code>result.json</code> file here with the caption "
        "<code>/import</code>.\n"
        "3. Pick the group: I keep every link with its #hashtags, who shared it and when, "
        "without posting anything in the group.\n\n"
        "Bookmark files (.html: browsers, Shaarli, linkding, Pocket) work too. Limit: "
        "{limit} MB; beyond that, an operator can run <code>veille import</code> on the "
        "server. Importing the same file twice adds nothing."
    ),
)

TOO_BIG = Text(
    fr=(
        "Ce fichier fait {size} Mo : Telegram ne laisse un bot télécharger que {limit} Mo. "
        "Exportez sans les médias, ou demandez à un opérateur de lancer "
        "<code>veille import</code> sur le serveur."
    ),
    en=(
        "This file is {size} MB: Telegram lets a bot download only {limit} MB. Export without "
        "media, or ask an operator to run <code>veille import</code> on the server."
    ),
)

UNKNOWN_FILE = Text(
    fr=(
        "Je n'importe que les exports JSON de Telegram Desktop (<code>result.json</code>) "
        "et les fichiers de favoris (<code>.html</code>)."
    ),
    en=(
        "I import Telegram Desktop JSON exports (<code>result.json</code>) and bookmark "
        "files (<code>.html</code>) only."
    ),
)

PICK_CHAT = Text(
    fr="Dans quel groupe importer « {file} » ?",
    en="Which group should “{file}” go into?",
)

NO_CHAT = Text(
    fr=(
        "Vous n'administrez aucun groupe où je suis actif. Ajoutez-moi d'abord au groupe "
        "(et faites-le accepter), puis renvoyez le fichier."
    ),
    en=(
        "You administer no group where I am active. Add me to the group first (and have it "
        "approved), then send the file again."
    ),
)

BUTTON_CANCEL = Text(fr="Annuler", en="Cancel")
CANCELLED = Text(fr="Import annulé.", en="Import cancelled.")
EXPIRED = Text(
    fr="Cette demande a expiré : renvoyez le fichier avec la légende /import.",
    en="This request has expired: send the file again with the caption /import.",
)
NOT_YOURS = Text(
    fr="Ce choix revient à la personne qui a envoyé le fichier.",
    en="This choice belongs to whoever sent the file.",
)
NOT_ADMIN = Text(
    fr="Vous n'êtes pas administrateur de ce groupe (ou je n'y suis plus actif).",
    en="You are not an administrator of this group (or I am no longer active there).",
)
BUSY = Text(
    fr="Un import est déjà en cours : réessayez dans quelques minutes.",
    en="An import is already running: try again in a few minutes.",
)
RUNNING = Text(
    fr="Import de « {file} » dans <b>{chat}</b> en cours…",
    en="Importing “{file}” into <b>{chat}</b>…",
)
DOWNLOAD_FAILED = Text(
    fr="Je n'ai pas pu télécharger le fichier ({error}). Réessayez plus tard.",
    en="I could not download the file ({error}). Try again later.",
)
WRONG_CHAT = Text(
    fr=(
        "Cet export est celui de « {exported} », pas de <b>{chat}</b> : je ne mélange pas les "
        "historiques. Exportez le bon groupe, ou choisissez-le."
    ),
    en=(
        "This export is of “{exported}”, not <b>{chat}</b>: I do not mix histories. Export "
        "the right group, or pick it."
    ),
)

# --- the summary (the bot's answer, and the command line's output) ------------------------

DONE = Text(fr="Import terminé ({what}).", en="Import finished ({what}).")
STOPPED = Text(
    fr="⚠️ Import interrompu ({what}) : le fichier est illisible{where} : {detail}.",
    en="⚠️ Import stopped ({what}): the file is malformed{where}: {detail}.",
)
STOPPED_HINT = Text(
    fr=(
        "Ce qui précède est enregistré. Corrigez le fichier (ou refaites l'export) et "
        "relancez : rien ne sera ajouté deux fois."
    ),
    en=(
        "What came before is stored. Fix the file (or export again) and import it again: "
        "nothing will be added twice."
    ),
)
WHERE_LINE = Text(fr=" à la ligne {line}", en=" at line {line}")
WHERE_COLUMN = Text(fr=", colonne {column}", en=", column {column}")
WHERE_BYTE = Text(fr=" (octet {offset})", en=" (byte {offset})")
WHERE_OFFSET = Text(fr=" à l'octet {offset}", en=" at byte {offset}")
WHAT_TELEGRAM = Text(fr="export Telegram → chat {chat}", en="Telegram export → chat {chat}")
WHAT_BOOKMARKS = Text(fr="favoris → chat {chat}", en="bookmarks → chat {chat}")
WHAT_JSONL = Text(fr="export JSON Lines de Veille", en="Veille JSON Lines export")

READ_MESSAGES = Text(fr="Messages lus : {count}", en="Messages read: {count}")
READ_BOOKMARKS = Text(fr="Favoris lus : {count}", en="Bookmarks read: {count}")
READ_LINKS = Text(fr="Liens lus : {count}", en="Links read: {count}")
STORED = Text(fr="Avec des liens : {count}", en="With links: {count}")
LINKS = Text(
    fr="Liens ajoutés : {added} · déjà connus : {merged}",
    en="Links added: {added} · already known: {merged}",
)
SHARES = Text(fr="Nouveaux partages : {count}", en="New shares: {count}")
SKIPPED = Text(fr="Ignorés : {details}", en="Skipped: {details}")
CHAT_CREATED = Text(
    fr="Chat {chat} créé (accepté), puisqu'il n'était pas connu.",
    en="Chat {chat} created (approved), as it was not known.",
)
DURATION = Text(fr="Durée : {seconds} s", en="Time: {seconds} s")

REASON_NO_LINKS = Text(fr="sans lien ({count})", en="without links ({count})")
REASON_SERVICE = Text(fr="messages de service ({count})", en="service messages ({count})")
REASON_UNSUPPORTED = Text(fr="non pris en charge ({count})", en="unsupported ({count})")
REASON_MALFORMED = Text(fr="illisibles ({count})", en="unreadable ({count})")
REASON_RELATIVE_URL = Text(
    fr="adresses relatives, des notes ({count})", en="relative addresses, notes ({count})"
)
REASON_NON_HTTP_URL = Text(
    fr="adresses non web, place: ou javascript: ({count})",
    en="non-web addresses, place: or javascript: ({count})",
)
REASON_PRIVATE = Text(fr="privés ({count})", en="private ({count})")
REASON_OTHER = Text(fr="{reason} ({count})", en="{reason} ({count})")
REASONS = {
    "no_links": REASON_NO_LINKS,
    "service": REASON_SERVICE,
    "unsupported": REASON_UNSUPPORTED,
    "malformed": REASON_MALFORMED,
    "relative_url": REASON_RELATIVE_URL,
    "non_http_url": REASON_NON_HTTP_URL,
    "private": REASON_PRIVATE,
}

NOTE_UNDATED = Text(
    fr="Favoris sans date lisible, datés du jour de l'import : {count}",
    en="Bookmarks without a readable date, dated today: {count}",
)
NOTE_CHATS_CREATED = Text(
    fr="Chats inconnus jusqu'ici, créés (acceptés) : {count}",
    en="Chats not known before, created (approved): {count}",
)
NOTES = {"undated": NOTE_UNDATED, "chats_created": NOTE_CHATS_CREATED}
