"""Texts of search and of the commands around it: /search, /tags, /recent, /delete, /forgetme."""

from bot.i18n import Text

SEARCH_HELP = Text(
    fr=(
        "<b>Rechercher</b> : <code>/search mots</code>\n"
        "• <code>reconnaissance faciale</code> : tous les mots (accents et majuscules ignorés)\n"
        "• <code>\"conseil d'État\"</code> : l'expression exacte\n"
        "• <code>VSA OR biométrie</code> : l'un ou l'autre · <code>-drone</code> : sans ce mot\n"
        "• <code>surveil*</code> : les mots qui commencent ainsi\n"
        "• <code>#cnil</code> : un hashtag · <code>from:@alice</code> ou <code>from:alice</code>\n"
        "• <code>site:lemonde.fr</code> · <code>since:2024-01-01</code> · "
        "<code>until:2024-06</code> · <code>kind:petition</code> ou <code>kind:campaign</code>\n\n"
        "Exemples : <code>/search vidéosurveillance #cnil</code>, "
        '<code>/search "loi JO" since:2023</code>\n'
        "Dans un groupe : les liens du groupe. En privé ou avec <code>@{bot} mots</code> : "
        "les liens des groupes dont vous êtes membre."
    ),
    en=(
        "<b>Search</b>: <code>/search words</code>\n"
        "• <code>facial recognition</code>: every word (accents and case ignored)\n"
        '• <code>"conseil d\'État"</code>: the exact phrase\n'
        "• <code>VSA OR biometrics</code>: either · <code>-drone</code>: without this word\n"
        "• <code>surveil*</code>: words that start so\n"
        "• <code>#cnil</code>: a hashtag · <code>from:@alice</code> or <code>from:alice</code>\n"
        "• <code>site:lemonde.fr</code> · <code>since:2024-01-01</code> · "
        "<code>until:2024-06</code> · <code>kind:petition</code> or <code>kind:campaign</code>\n\n"
        "Examples: <code>/search vidéosurveillance #cnil</code>, "
        '<code>/search "loi JO" since:2023</code>\n'
        "In a group: the group's links. In private or with <code>@{bot} words</code>: the links "
        "of the groups you are a member of."
    ),
)

RESULTS_HEADER = Text(
    fr="🔎 <b>{query}</b> · page {page}",
    en="🔎 <b>{query}</b> · page {page}",
)
RECENT_HEADER = Text(
    fr="🕑 <b>Derniers liens</b> · page {page}", en="🕑 <b>Latest links</b> · page {page}"
)
NO_RESULTS = Text(
    fr="Aucun lien ne correspond à <b>{query}</b>.",
    en="No link matches <b>{query}</b>.",
)
NO_LINKS_YET = Text(fr="Aucun lien enregistré pour l'instant.", en="No link saved yet.")
IGNORED = Text(fr="(ignoré : {parts})", en="(ignored: {parts})")
SHARED_BY = Text(fr="par {name}", en="by {name}")
SHARED_TIMES = Text(fr="×{count}", en="×{count}")
IN_GROUP = Text(fr="dans {title}", en="in {title}")
NO_GROUPS = Text(
    fr=(
        "Je ne vous connais dans aucun groupe que je sers. Les recherches privées portent sur les "
        "groupes où vous avez partagé un lien ou lancé /search."
    ),
    en=(
        "I do not know you from any group I serve. Private searches cover the groups where you "
        "shared a link or used /search."
    ),
)
NOT_SERVED = Text(
    fr="Ce groupe n'est pas (encore) servi par Veille : rien n'y est enregistré.",
    en="This chat is not served by Veille (yet): nothing is saved here.",
)
PAGE_EXPIRED = Text(
    fr="Cette recherche a expiré : relancez /search.",
    en="This search has expired: run /search again.",
)
INLINE_NO_RESULTS = Text(fr="Aucun lien trouvé", en="No link found")
INLINE_NO_RESULTS_HINT = Text(
    fr="Essayez d'autres mots, ou /search en privé avec le bot.",
    en="Try other words, or /search privately with the bot.",
)

TAGS_HEADER = Text(fr="🏷 <b>Hashtags les plus utilisés</b>", en="🏷 <b>Most used hashtags</b>")
TAGS_EMPTY = Text(fr="Aucun hashtag pour l'instant.", en="No hashtag yet.")
TAG_LINE = Text(fr="#{tag} — {count} lien(s)", en="#{tag} — {count} link(s)")

DELETE_USAGE = Text(
    fr="Répondez avec /delete au message dont il faut oublier les liens.",
    en="Reply with /delete to the message whose links should be forgotten.",
)
DELETE_NOTHING = Text(
    fr="Aucun lien enregistré pour ce message.",
    en="No link was saved from this message.",
)
DELETE_NOT_ALLOWED = Text(
    fr="Seuls l'auteur du partage et les administrateurs du groupe peuvent le supprimer.",
    en="Only the person who shared it and the chat's administrators can delete it.",
)
DELETE_DONE = Text(
    fr="Supprimé : {shares} partage(s), {links} lien(s) oublié(s).",
    en="Deleted: {shares} share(s), {links} link(s) forgotten.",
)

FORGET_PRIVATE_ONLY = Text(
    fr="Pour tout effacer, écrivez-moi /forgetme en privé.",
    en="To erase everything, send me /forgetme in a private chat.",
)
FORGET_CONFIRM = Text(
    fr=(
        "Effacer <b>tout</b> ce que vous avez partagé, dans tous les groupes ({shares} "
        "partage(s)), et ce que je sais de vous ? C'est définitif."
    ),
    en=(
        "Erase <b>everything</b> you shared, in every group ({shares} share(s)), and what I "
        "know about you? This cannot be undone."
    ),
)
FORGET_YES = Text(fr="Oui, tout effacer", en="Yes, erase everything")
FORGET_NO = Text(fr="Annuler", en="Cancel")
FORGET_DONE = Text(
    fr=(
        "C'est fait : {shares} partage(s) et {links} lien(s) effacés, et je vous ai oublié "
        "dans {chats} groupe(s)."
    ),
    en="Done: {shares} share(s) and {links} link(s) erased, and I forgot you in {chats} chat(s).",
)
FORGET_CANCELLED = Text(fr="Rien n'a été effacé.", en="Nothing was erased.")
FORGET_NOT_YOURS = Text(fr="Ce bouton n'est pas pour vous.", en="This button is not for you.")

KIND_PETITION = Text(fr="✍️ pétition", en="✍️ petition")
KIND_CAMPAIGN = Text(fr="📣 campagne", en="📣 campaign")
MORE_PAGES = Text(fr="Autres résultats : ▶", en="More results: ▶")

CMD_SEARCH = Text(
    fr="chercher dans les liens partagés (mots, #tag, from:, site:, since:)",
    en="search the shared links (words, #tag, from:, site:, since:)",
)
CMD_RECENT = Text(fr="les derniers liens partagés", en="the latest shared links")
CMD_TAGS = Text(fr="les hashtags les plus utilisés", en="the most used hashtags")
CMD_DELETE = Text(
    fr="en réponse à un message : oublier ses liens (auteur ou admin)",
    en="in reply to a message: forget its links (its author or an admin)",
)
CMD_FORGETME = Text(
    fr="effacer tout ce que vous avez partagé, partout",
    en="erase everything you shared, everywhere",
)
