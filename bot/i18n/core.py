"""Texts of the foundation: welcome, help, settings, acknowledgements, chat approval."""

from bot.i18n import Text

START_PRIVATE = Text(
    fr=(
        "Bonjour ! Je suis <b>Veille</b>, la mémoire des liens de votre communauté.\n\n"
        "Ajoutez-moi à un groupe : chaque lien partagé avec ses #hashtags y est gardé, "
        "sans bruit (une simple réaction 👀), et retrouvable des mois plus tard.\n"
        "Je ne garde que le nécessaire, j'enlève les traqueurs des liens, et /forgetme efface "
        "tout ce que vous avez partagé.\n\n/help pour les commandes.\n"
        "Votre identifiant Telegram : <code>{user_id}</code>"
    ),
    en=(
        "Hello! I am <b>Veille</b>, your community's memory for links.\n\n"
        "Add me to a group: every link shared there with its #hashtags is kept, quietly "
        "(just a 👀 reaction), and can be found again months later.\n"
        "I keep only what is needed, strip trackers from links, and /forgetme erases "
        "everything you shared.\n\n/help for the commands.\n"
        "Your Telegram user id: <code>{user_id}</code>"
    ),
)

START_GROUP = Text(
    fr="Veille est là : les liens partagés ici avec leurs #hashtags sont gardés. /help",
    en="Veille is here: links shared here with their #hashtags are kept. /help",
)

HELP = Text(
    fr=(
        "<b>Veille</b> garde les liens partagés dans vos groupes.\n\n"
        "<b>Partager</b> : postez un lien avec des #hashtags, je réagis avec 👀.\n"
        "{commands}\n\n"
        "Les liens d'un groupe ne sont visibles que par ses membres."
    ),
    en=(
        "<b>Veille</b> keeps the links shared in your groups.\n\n"
        "<b>Share</b>: post a link with #hashtags, I react with 👀.\n"
        "{commands}\n\n"
        "A group's links are visible only to its members."
    ),
)

ADMIN_ONLY = Text(
    fr="Seuls les administrateurs de ce groupe peuvent changer ce réglage.",
    en="Only this chat's administrators can change this setting.",
)

LANG_USAGE = Text(
    fr="Usage : /lang fr ou /lang en (langue actuelle : {current}).",
    en="Usage: /lang fr or /lang en (current language: {current}).",
)

LANG_SET = Text(fr="C'est noté : je parlerai français ici.", en="Done: I will speak English here.")

ACK_USAGE = Text(
    fr=(
        "Usage : /ack reaction | reply | silent (actuel : {current}).\n"
        "reaction : une réaction 👀 sur le message ; reply : une courte réponse ; "
        "silent : rien."
    ),
    en=(
        "Usage: /ack reaction | reply | silent (current: {current}).\n"
        "reaction: a 👀 reaction on the message; reply: a short reply; silent: nothing."
    ),
)

ACK_SET = Text(
    fr="C'est noté : accusé de réception en mode « {mode} ».",
    en="Done: acknowledgements are now “{mode}”.",
)

SAVED_ONE = Text(fr="Lien enregistré{tags}.", en="Link saved{tags}.")
SAVED_MANY = Text(fr="{count} liens enregistrés{tags}.", en="{count} links saved{tags}.")
SAVED_TAGS = Text(fr=" · {tags}", en=" · {tags}")

APPROVAL_REQUEST = Text(
    fr=(
        "Veille a été ajouté à <b>{title}</b> ({kind}, id <code>{chat_id}</code>){by}.\n"
        "Tant que vous n'avez pas accepté, je n'enregistre rien de ce groupe."
    ),
    en=(
        "Veille was added to <b>{title}</b> ({kind}, id <code>{chat_id}</code>){by}.\n"
        "Until you approve, I store nothing from this chat."
    ),
)
APPROVAL_BY = Text(fr=" par {who}", en=" by {who}")
BUTTON_APPROVE = Text(fr="✅ Accepter", en="✅ Approve")
BUTTON_DENY = Text(fr="🚫 Refuser", en="🚫 Deny")
APPROVED = Text(
    fr="✅ <b>{title}</b> est accepté : ses liens seront enregistrés.",
    en="✅ <b>{title}</b> is approved: its links will be stored.",
)
DENIED = Text(
    fr="🚫 <b>{title}</b> est refusé : j'ai quitté ce groupe.",
    en="🚫 <b>{title}</b> is denied: I left that chat.",
)
ALREADY_DECIDED = Text(
    fr="Ce groupe a déjà été traité ({status}).",
    en="This chat was already handled ({status}).",
)
OPERATORS_ONLY = Text(
    fr="Réservé aux opérateurs de cette instance.",
    en="Only this deployment's operators can do that.",
)
PENDING_IN_CHAT = Text(
    fr=(
        "Bonjour ! Un opérateur de cette instance de Veille doit d'abord accepter ce groupe ; "
        "d'ici là, je n'enregistre rien."
    ),
    en=(
        "Hello! An operator of this Veille deployment must first approve this chat; "
        "until then I store nothing."
    ),
)
PRIVACY_WARNING = Text(
    fr=(
        "⚠️ Je ne vois pas les messages de ce groupe, seulement les commandes. Pour que les "
        "liens soient enregistrés, faites de moi un administrateur du groupe, ou désactivez le "
        "mode confidentialité (@BotFather → /setprivacy → Disable), puis retirez-moi et "
        "ajoutez-moi à nouveau."
    ),
    en=(
        "⚠️ I cannot see this group's messages, only commands. For links to be stored, make "
        "me an administrator of the group, or turn privacy mode off (@BotFather → /setprivacy "
        "→ Disable), then remove me and add me again."
    ),
)
UNKNOWN_CHAT = Text(fr="Groupe inconnu.", en="Unknown chat.")
