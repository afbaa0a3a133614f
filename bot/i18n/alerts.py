"""Texts of alerts: announcements, /alerts, /subscribe and friends, /status."""

from bot.i18n import Text

# --- the announcement itself ------------------------------------------------------------------

KIND_PETITION = Text(fr="🖊 Pétition", en="🖊 Petition")
KIND_CAMPAIGN = Text(fr="📣 Campagne", en="📣 Campaign")
SHARED_IN = Text(fr="Partagée dans {source}", en="Shared in {source}")
SHARED_IN_COMMUNITY = Text(fr="Partagée dans la communauté", en="Shared in the community")
FROM_FEED = Text(fr="Source : {source}", en="Source: {source}")
LINK_TEXT = Text(fr="ouvrir le lien", en="open the link")

# --- /alerts ------------------------------------------------------------------------------------

ALERTS_USAGE = Text(
    fr=(
        "Usage : /alerts on | off (actuellement : {state}).\n"
        "Activées, les pétitions et campagnes partagées ici sont annoncées aux canaux abonnés "
        "(le nom de ce chat n'apparaît que s'il est public)."
    ),
    en=(
        "Usage: /alerts on | off (now: {state}).\n"
        "When on, petitions and campaigns shared here are announced to subscribed channels "
        "(this chat is named only if it is public)."
    ),
)
STATE_ON = Text(fr="activées", en="on")
STATE_OFF = Text(fr="désactivées", en="off")
ALERTS_SET_ON = Text(
    fr="C'est noté : les pétitions et campagnes partagées ici seront annoncées.",
    en="Done: petitions and campaigns shared here will be announced.",
)
ALERTS_SET_OFF = Text(
    fr="C'est noté : rien de ce qui est partagé ici ne sera annoncé.",
    en="Done: nothing shared here will be announced.",
)
GROUPS_ONLY = Text(
    fr="Cette commande s'utilise dans un groupe ou un canal.",
    en="This command works in a group or a channel.",
)

# --- /subscribe, /unsubscribe, /subscriptions -------------------------------------------------

SUBSCRIBE_USAGE = Text(
    fr=(
        "Usage : /subscribe [pétitions] [campagnes] [#hashtag …]\n"
        "Dans un canal ou un groupe où je suis administrateur : j'y publierai les nouvelles "
        "pétitions et campagnes partagées dans la communauté (les deux par défaut ; avec des "
        "#hashtags, seulement celles qui portent l'un d'eux).\n"
        "En message privé : /subscribe @canal pétitions #surveillance"
    ),
    en=(
        "Usage: /subscribe [petitions] [campaigns] [#hashtag …]\n"
        "In a channel or group where I am an admin: I will post the new petitions and "
        "campaigns shared in the community (both by default; with #hashtags, only those "
        "carrying one of them).\n"
        "In a private chat: /subscribe @channel petitions #surveillance"
    ),
)
BAD_FILTER = Text(
    fr="Je ne comprends pas « {word} ».\n\n{usage}",
    en="I do not understand “{word}”.\n\n{usage}",
)
SUBSCRIBED = Text(
    fr="✅ C'est noté : {chat} recevra {what}.",
    en="✅ Done: {chat} will receive {what}.",
)
WHAT_BOTH = Text(fr="les pétitions et les campagnes", en="petitions and campaigns")
WHAT_PETITIONS = Text(fr="les pétitions", en="petitions")
WHAT_CAMPAIGNS = Text(fr="les campagnes", en="campaigns")
WHAT_TAGS = Text(fr="{kinds} marquées {tags}", en="{kinds} tagged {tags}")
THIS_CHAT = Text(fr="ce chat", en="this chat")

REFUSED_NOT_ADMIN = Text(
    fr="Refusé : vous n'êtes pas administrateur de {chat}.",
    en="Refused: you are not an administrator of {chat}.",
)
REFUSED_CANNOT_POST = Text(
    fr=(
        "Refusé : je ne peux pas publier dans {chat}. Faites de moi un administrateur avec le "
        "droit de publier des messages, puis recommencez."
    ),
    en=(
        "Refused: I cannot post in {chat}. Make me an administrator with the right to post "
        "messages, then try again."
    ),
)
REFUSED_UNKNOWN_CHAT = Text(
    fr=(
        "Refusé : je ne trouve pas le canal {chat}. Vérifiez son nom (@nom, ou son identifiant "
        "numérique s'il est privé) et que j'en suis administrateur."
    ),
    en=(
        "Refused: I cannot find the channel {chat}. Check its name (@name, or its numeric id if "
        "it is private) and that I am one of its administrators."
    ),
)
REFUSED_NOT_APPROVED = Text(
    fr="Refusé : {chat} attend encore l'accord d'un opérateur de cette instance de Veille.",
    en="Refused: {chat} is still waiting for an operator of this Veille deployment to approve it.",
)
REFUSED_PRIVATE = Text(
    fr=(
        "En message privé, dites-moi quel canal abonner : /subscribe @canal [pétitions] "
        "[campagnes] [#hashtag …]"
    ),
    en=(
        "In a private chat, tell me which channel to subscribe: /subscribe @channel "
        "[petitions] [campaigns] [#hashtag …]"
    ),
)
REFUSED_UNAVAILABLE = Text(
    fr="Telegram ne répond pas pour l'instant ; réessayez dans un moment.",
    en="Telegram is not answering right now; try again in a moment.",
)
UNSUBSCRIBED = Text(
    fr="C'est noté : {chat} ne recevra plus d'annonces.",
    en="Done: {chat} will receive no more announcements.",
)
NOT_SUBSCRIBED = Text(
    fr="{chat} n'est abonné à aucune annonce. /subscribe pour s'abonner.",
    en="{chat} is not subscribed to any announcements. /subscribe to subscribe.",
)
SUBSCRIPTION_IN_FORCE = Text(fr="{chat} reçoit {what}.", en="{chat} receives {what}.")
SUBSCRIPTION_ENDED = Text(
    fr="L'abonnement de {chat} est suspendu ({reason}).",
    en="The subscription of {chat} is suspended ({reason}).",
)
MY_SUBSCRIPTIONS = Text(fr="Vos abonnements :\n{lines}", en="Your subscriptions:\n{lines}")
NO_SUBSCRIPTIONS = Text(
    fr="Vous n'avez abonné aucun canal. /subscribe @canal pour commencer.",
    en="You have not subscribed any channel. /subscribe @channel to start.",
)

# --- a subscription that had to end -----------------------------------------------------------

ENDED_NOTICE = Text(
    fr=(
        "⚠️ Je ne peux plus publier dans {chat} ({reason}) : son abonnement aux pétitions et "
        "campagnes est suspendu. Pour le reprendre, faites de moi un administrateur avec le "
        "droit de publier, puis /subscribe à nouveau."
    ),
    en=(
        "⚠️ I can no longer post in {chat} ({reason}): its subscription to petitions and "
        "campaigns is suspended. To resume it, make me an administrator with the right to "
        "post, then /subscribe again."
    ),
)
REASON_REMOVED = Text(fr="j'en ai été retiré", en="I was removed from it")
REASON_FORBIDDEN = Text(fr="Telegram refuse mes messages", en="Telegram refuses my messages")
REASON_NOT_FOUND = Text(fr="ce chat n'existe plus", en="that chat no longer exists")
REASON_CANNOT_POST = Text(fr="je n'ai plus le droit d'y publier", en="I lost the right to post")
REASON_UNSUBSCRIBED = Text(fr="désabonné", en="unsubscribed")

# --- /status and `veille outbox` --------------------------------------------------------------

STATUS_PRIVATE_ONLY = Text(
    fr="/status s'utilise en message privé avec moi.",
    en="/status works in a private chat with me.",
)
STATUS_TITLE = Text(fr="État de Veille", en="Veille status")
STATUS_CHATS = Text(
    fr="Groupes et canaux : {approved} acceptés, {pending} en attente, {denied} refusés "
    "({inactive} inactifs)",
    en="Groups and channels: {approved} approved, {pending} pending, {denied} denied "
    "({inactive} inactive)",
)
STATUS_LINKS = Text(
    fr="Liens : {links} ({petitions} pétitions, {campaigns} campagnes)",
    en="Links: {links} ({petitions} petitions, {campaigns} campaigns)",
)
STATUS_SUBSCRIPTIONS = Text(
    fr="Abonnements : {active} actifs, {ended} suspendus ; annonces : {announcements}",
    en="Subscriptions: {active} active, {ended} suspended; announcements: {announcements}",
)
STATUS_OUTBOX = Text(fr="Envois : {counts}", en="Deliveries: {counts}")
STATUS_OUTBOX_EMPTY = Text(fr="aucun", en="none")
STATUS_ERRORS = Text(fr="Dernières erreurs :", en="Last errors:")
STATUS_NO_ERRORS = Text(fr="Aucune erreur récente.", en="No recent errors.")
STATE_PENDING = Text(fr="en attente", en="pending")
STATE_SENDING = Text(fr="en cours", en="sending")
STATE_SENT = Text(fr="envoyés", en="sent")
STATE_DEAD = Text(fr="en échec", en="dead")
STATE_UNCONFIRMED = Text(fr="incertains", en="unconfirmed")
STATE_CANCELLED = Text(fr="annulés", en="cancelled")
STATE_DROPPED = Text(fr="abandonnés", en="dropped")

# --- the command menu (bot/commands.py) -------------------------------------------------------

SUBSCRIBE_ARGS = "[@…] [petitions|campaigns] [#…]"
CMD_ALERTS = Text(
    fr="annoncer les pétitions et campagnes partagées ici",
    en="announce the petitions and campaigns shared here",
)
CMD_SUBSCRIBE = Text(
    fr="recevoir les pétitions et campagnes dans ce canal ou groupe",
    en="receive petitions and campaigns in this channel or group",
)
CMD_UNSUBSCRIBE = Text(fr="ne plus les recevoir", en="stop receiving them")
CMD_SUBSCRIPTIONS = Text(fr="les abonnements en vigueur", en="the subscriptions in force")
CMD_STATUS = Text(fr="état de l'instance (opérateurs)", en="deployment status (operators)")
