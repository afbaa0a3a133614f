"""Texts of link previews: the /previews switch."""

from bot.i18n import Text

USAGE = Text(
    fr=(
        "Usage : /previews on ou /previews off (actuellement : {state}).\n"
        "Quand c'est activé, je récupère le titre et la description de chaque nouveau lien "
        "pour mieux le retrouver avec /search. Cela indique au site que quelqu'un a partagé "
        "la page : désactivez-le si ce chat ne veut pas le faire savoir."
    ),
    en=(
        "Usage: /previews on or /previews off (currently: {state}).\n"
        "When on, I fetch the title and description of every new link so that /search finds "
        "it better. This tells the site that someone shared the page: turn it off if this chat "
        "would rather not let it know."
    ),
)

STATE_ON = Text(fr="activé", en="on")
STATE_OFF = Text(fr="désactivé", en="off")

TURNED_ON = Text(
    fr="C'est noté : je récupérerai le titre et la description des nouveaux liens de ce chat.",
    en="Done: I will fetch the title and description of this chat's new links.",
)

TURNED_OFF = Text(
    fr=(
        "C'est noté : je ne contacterai plus les sites des liens partagés ici. Les liens "
        "restent enregistrés et cherchables par leurs mots-clés et commentaires."
    ),
    en=(
        "Done: I will no longer contact the sites of links shared here. Links are still "
        "saved and searchable by their hashtags and comments."
    ),
)

DISABLED_FOR_DEPLOYMENT = Text(
    fr=(
        "Les aperçus de liens sont désactivés pour toute cette instance de Veille "
        "(VEILLE_FETCH_PREVIEWS=false) : aucun site n'est contacté."
    ),
    en=(
        "Link previews are turned off for this whole Veille deployment "
        "(VEILLE_FETCH_PREVIEWS=false): no site is ever contacted."
    ),
)

GROUPS_ONLY = Text(
    fr="Ce réglage se fait dans un groupe ou un canal, par ses administrateurs.",
    en="This setting is made in a group or channel, by its administrators.",
)
