"""Texts of feed sources: /feed and the notice of a paused feed. Replies are HTML."""

from bot.i18n import Text

CMD_FEED = Text(
    fr="flux RSS/Atom/JSON d'organisations : leurs pétitions et campagnes ici",
    en="organisations' RSS/Atom/JSON feeds: their petitions and campaigns here",
)
FEED_ARGS = "add|list|remove …"

USAGE = Text(
    fr=(
        "<b>Flux</b> : les pétitions et campagnes que des organisations publient sur leur site.\n"
        "/feed add URL [pétitions|campagnes|auto] [#tags] [exemple] — suivre un flux ici "
        "(auto : je reconnais pétitions et campagnes ; « exemple » : j'envoie tout de suite "
        "la dernière entrée)\n"
        "/feed add @canal URL … — en privé, pour un canal que vous administrez\n"
        "/feed list — les flux suivis, leur état\n"
        "/feed remove N — ne plus suivre le flux n° N\n"
        "/feed interval N 30min — relever le flux toutes les 30 minutes (2 min au moins)\n"
        "/feed resume N — reprendre un flux en pause\n"
        "/feed public N | private N — (opérateurs) annoncer ses entrées à toute la communauté"
    ),
    en=(
        "<b>Feeds</b>: the petitions and campaigns organisations publish on their sites.\n"
        "/feed add URL [petitions|campaigns|auto] [#tags] [sample] — follow a feed here "
        "(auto: I recognise petitions and campaigns; “sample”: I send the latest entry "
        "right away)\n"
        "/feed add @channel URL … — in a private chat, for a channel you administer\n"
        "/feed list — the feeds followed, their state\n"
        "/feed remove N — stop following feed #N\n"
        "/feed interval N 30min — read the feed every 30 minutes (2 min at least)\n"
        "/feed resume N — resume a paused feed\n"
        "/feed public N | private N — (operators) announce its entries to the whole community"
    ),
)
BAD_ARGS = Text(
    fr="Je ne comprends pas « {word} ».\n\n{usage}",
    en="I do not understand “{word}”.\n\n{usage}",
)
NEED_CHANNEL = Text(
    fr=(
        "En message privé, dites pour quel canal : /feed add @canal URL. "
        "Ou envoyez /feed add URL dans le groupe ou le canal lui-même."
    ),
    en=(
        "In a private chat, say which channel: /feed add @channel URL. "
        "Or send /feed add URL in the group or channel itself."
    ),
)
CHECKING = Text(fr="Je lis {url}…", en="Reading {url}…")

# --- adding ---------------------------------------------------------------------------------

ADDED = Text(
    fr=(
        "✅ Flux n° {id} suivi : <b>{title}</b>.\n"
        "{chat} recevra {what}. Les {count} entrées actuelles ne seront pas annoncées ; "
        "je relirai le flux toutes les {interval}."
    ),
    en=(
        "✅ Feed #{id} followed: <b>{title}</b>.\n"
        "{chat} will receive {what}. Its {count} current entries will not be announced; "
        "I will read it again every {interval}."
    ),
)
ADDED_SAMPLE = Text(
    fr="La dernière entrée part tout de suite, en exemple.",
    en="Its latest entry is on its way, as a sample.",
)
ADDED_NO_SAMPLE = Text(
    fr="(Sa dernière entrée n'est ni une pétition ni une campagne : pas d'exemple.)",
    en="(Its latest entry is neither a petition nor a campaign: no sample.)",
)
WHAT_AUTO = Text(
    fr="ses pétitions et campagnes (reconnues automatiquement)",
    en="its petitions and campaigns (recognised automatically)",
)
WHAT_PETITIONS = Text(fr="chaque entrée, comme pétition", en="every entry, as a petition")
WHAT_CAMPAIGNS = Text(fr="chaque entrée, comme campagne", en="every entry, as a campaign")
WHAT_COMMUNITY = Text(fr="toute la communauté", en="the whole community")

INVALID_URL = Text(
    fr="« {url} » n'est pas une adresse http(s).",
    en="“{url}” is not an http(s) address.",
)
UNREACHABLE = Text(
    fr="Je n'ai pas pu lire {url} : {reason}.",
    en="I could not read {url}: {reason}.",
)
NOT_A_FEED_HTML = Text(
    fr="Cette page est du HTML, pas un flux. Son flux est peut-être :\n{alternates}",
    en="This page is HTML, not a feed. Its feed may be at:\n{alternates}",
)
NOT_A_FEED_HTML_NONE = Text(
    fr=(
        "Cette page est du HTML, pas un flux, et elle n'indique aucun flux "
        '(&lt;link rel="alternate"&gt;). Cherchez un lien RSS ou Atom sur le site.'
    ),
    en=(
        "This page is HTML, not a feed, and it names no feed "
        '(&lt;link rel="alternate"&gt;). Look for an RSS or Atom link on the site.'
    ),
)
NOT_A_FEED = Text(
    fr="Ce document n'est pas un flux RSS, Atom ou JSON Feed ({reason}).",
    en="This document is not an RSS, Atom or JSON Feed ({reason}).",
)
UNREADABLE = Text(
    fr="Ce flux est illisible ({reason}) : réessayez plus tard, ou signalez-le à son site.",
    en="This feed cannot be read ({reason}): try again later, or tell its site.",
)
DUPLICATE = Text(fr="Ce flux est déjà suivi ici.", en="This feed is already followed here.")
TOO_MANY = Text(
    fr="Ce chat suit déjà {limit} flux, le maximum : retirez-en un d'abord.",
    en="This chat already follows {limit} feeds, the most allowed: remove one first.",
)

# --- list -------------------------------------------------------------------------------------

LIST_HEADER = Text(fr="<b>Flux suivis par {chat}</b>", en="<b>Feeds followed by {chat}</b>")
LIST_MINE = Text(fr="<b>Les flux que vous avez ajoutés</b>", en="<b>The feeds you added</b>")
LIST_ALL = Text(fr="<b>Tous les flux</b>", en="<b>Every feed</b>")
LIST_EMPTY = Text(
    fr="Aucun flux suivi. Ajoutez-en un avec /feed add URL.",
    en="No feed followed. Add one with /feed add URL.",
)
LIST_MORE = Text(
    fr="… et {count} autres (voir `veille feeds` sur le serveur).",
    en="… and {count} more (see `veille feeds` on the server).",
)
LIST_LINE = Text(
    fr=(
        "<b>n° {id}</b> · {title} — {state}{public}\n{url}\n"
        "dernière lecture réussie : {success} · prochaine : {next} · toutes les {interval}"
    ),
    en=(
        "<b>#{id}</b> · {title} — {state}{public}\n{url}\n"
        "last success: {success} · next: {next} · every {interval}"
    ),
)
LIST_ERROR = Text(fr="dernière erreur : {error} ({when})", en="last error: {error} ({when})")
STATE_ACTIVE = Text(fr="actif", en="active")
STATE_PAUSED = Text(fr="en pause ({reason})", en="paused ({reason})")
PUBLIC_MARK = Text(fr=" · public", en=" · public")
NEVER = Text(fr="jamais", en="never")

# --- changes ------------------------------------------------------------------------------------

NOT_FOUND = Text(fr="Pas de flux n° {id} ici.", en="No feed #{id} here.")
REMOVED = Text(fr="Flux n° {id} retiré.", en="Feed #{id} removed.")
PUBLIC_ON = Text(
    fr="Flux n° {id} public : ses entrées seront annoncées à toute la communauté.",
    en="Feed #{id} is public: its entries will be announced to the whole community.",
)
PUBLIC_OFF = Text(
    fr="Flux n° {id} privé : ses entrées ne vont plus qu'à son chat.",
    en="Feed #{id} is private: its entries only go to its chat.",
)
STAYS_PUBLIC = Text(
    fr="Le flux n° {id} n'appartient à aucun chat : il reste public (retirez-le plutôt).",
    en="Feed #{id} belongs to no chat: it stays public (remove it instead).",
)
INTERVAL_SET = Text(
    fr="Flux n° {id} : lu toutes les {interval}.",
    en="Feed #{id}: read every {interval}.",
)
INTERVAL_BAD = Text(
    fr="Durée : un nombre de minutes (30), ou 90s, 10min, 2h ; au moins {least}, au plus 7 jours.",
    en="Duration: a number of minutes (30), or 90s, 10min, 2h; at least {least}, at most 7 days.",
)
RESUMED = Text(
    fr="Flux n° {id} repris : je le relis maintenant.",
    en="Feed #{id} resumed: I am reading it now.",
)
NOT_PAUSED = Text(fr="Le flux n° {id} n'est pas en pause.", en="Feed #{id} is not paused.")

# --- a paused feed ------------------------------------------------------------------------------

PAUSED_NOTICE = Text(
    fr=(
        "⏸ J'ai mis en pause le flux n° {id}, <b>{feed}</b>\n{url}\n{why}\n"
        "Pour le reprendre : /feed resume {id}"
    ),
    en=("⏸ I paused feed #{id}, <b>{feed}</b>\n{url}\n{why}\nTo resume it: /feed resume {id}"),
)
REASON_FAILURES = Text(
    fr="Il a échoué {count} fois de suite (dernière erreur : {error}).",
    en="It failed {count} times in a row (last error: {error}).",
)
REASON_GONE = Text(
    fr="Son site répond qu'il n'existe plus (HTTP 410).",
    en="Its site answers that it no longer exists (HTTP 410).",
)
REASON_REFUSED = Text(
    fr="Son adresse mène à un lieu que je ne visite pas ({error}).",
    en="Its address leads somewhere I do not go ({error}).",
)
REASON_CHAT_UNAVAILABLE = Text(
    fr="Je ne peux plus écrire dans le chat qui le reçoit.",
    en="I can no longer post in the chat that receives it.",
)
SHORT_FAILURES = Text(fr="trop d'échecs", en="too many failures")
SHORT_GONE = Text(fr="disparu", en="gone")
SHORT_REFUSED = Text(fr="adresse refusée", en="address refused")
SHORT_CHAT_UNAVAILABLE = Text(fr="chat inaccessible", en="chat unavailable")
