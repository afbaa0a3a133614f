"""Texts of `veille doctor` (in the deployment's default language)."""

from bot.i18n import Text

TOKEN_MISSING = Text(
    fr="VEILLE_BOT_TOKEN n'est pas défini : mettez-y le jeton donné par @BotFather.",
    en="VEILLE_BOT_TOKEN is not set: put the token from @BotFather there.",
)
TOKEN_REJECTED = Text(
    fr="Telegram refuse le jeton VEILLE_BOT_TOKEN : copiez-le à nouveau depuis @BotFather.",
    en="Telegram rejects VEILLE_BOT_TOKEN: copy it again from @BotFather.",
)
API_UNREACHABLE = Text(
    fr="Impossible de joindre l'API des bots à {url} : {error}",
    en="Cannot reach the Bot API at {url}: {error}",
)
TOKEN_OK = Text(
    fr="Le jeton est valide : le bot est @{username}.",
    en="The token is valid: the bot is @{username}.",
)
DB_UNUSABLE = Text(
    fr="La base {path} est inutilisable : {error}",
    en="The database {path} is not usable: {error}",
)
DB_PENDING = Text(
    fr="La base {path} n'est pas à jour ({names}) : lancez « veille migrate ».",
    en="The database {path} is not up to date ({names}): run `veille migrate`.",
)
DB_OK = Text(
    fr="La base {path} est accessible en écriture et à jour ({chats} groupes ou canaux servis).",
    en="The database {path} is writable and up to date ({chats} chats served).",
)
DISK_LOW = Text(
    fr="Il ne reste que {free} Gio libres dans {folder} : libérez de la place.",
    en="Only {free} GiB left in {folder}: free some space.",
)
DISK_OK = Text(fr="{free} Gio libres dans {folder}.", en="{free} GiB free in {folder}.")
OPERATORS_OK = Text(
    fr="{count} opérateur(s) dans VEILLE_OPERATORS.",
    en="{count} operator(s) in VEILLE_OPERATORS.",
)
OPERATORS_NONE_OPEN = Text(
    fr="VEILLE_OPERATORS est vide : personne ne voit /status (l'inscription est ouverte).",
    en="VEILLE_OPERATORS is empty: nobody can see /status (registration is open).",
)
OPERATORS_NONE = Text(
    fr=(
        "VEILLE_OPERATORS est vide et l'inscription fermée : personne ne peut accepter un "
        "groupe. Mettez-y votre identifiant (envoyez /start au bot en privé pour le connaître)."
    ),
    en=(
        "VEILLE_OPERATORS is empty and registration is closed: nobody can approve a chat. "
        "Put your user id there (send /start to the bot privately to learn it)."
    ),
)
PRIVACY_OFF = Text(
    fr="Mode confidentialité désactivé : le bot lit les messages des groupes.",
    en="Privacy mode is off: the bot reads group messages.",
)
PRIVACY_ON = Text(
    fr=(
        "Mode confidentialité activé : le bot ne lit les messages que dans les groupes où il "
        "est administrateur (@BotFather → /setprivacy → Disable pour tous les autres)."
    ),
    en=(
        "Privacy mode is on: the bot reads messages only in groups where it is an "
        "administrator (@BotFather → /setprivacy → Disable for the others)."
    ),
)
CHAT_UNCHECKED = Text(
    fr="« {title} » n'a pas pu être vérifié : {error}",
    en="“{title}” could not be checked: {error}",
)
CHAT_NOT_MEMBER = Text(
    fr="Le bot n'est plus dans « {title} » : ajoutez-le à nouveau, ou « veille purge-chat ».",
    en="The bot is no longer in “{title}”: add it again, or `veille purge-chat`.",
)
CHANNEL_CANNOT_POST = Text(
    fr="Dans le canal « {title} », le bot ne peut pas publier : donnez-lui ce droit.",
    en="In the channel “{title}”, the bot cannot post: give it that right.",
)
GROUP_CANNOT_READ = Text(
    fr=(
        "Dans « {title} », le bot ne voit pas les messages : faites-en un administrateur ou "
        "désactivez le mode confidentialité."
    ),
    en=(
        "In “{title}”, the bot cannot see messages: make it an administrator or turn privacy "
        "mode off."
    ),
)
CHAT_OK = Text(fr="« {title} » : tout va bien.", en="“{title}”: all good.")
