"""Synthetic French-language shares for the benchmarks (deterministic for a given seed)."""

from __future__ import annotations

import random
from dataclasses import dataclass

# Whitespace-separated lists read better than one quoted word per line.
WORDS = tuple(
    """
    surveillance vidéosurveillance reconnaissance faciale caméra algorithmique police fichier
    données personnelles CNIL liberté libertés publiques manifestation préfecture drone
    biométrie sécurité loi décret Conseil d'État Assemblée sénat amendement justice tribunal
    recours pétition mobilisation collectif association quartier ville mairie élus budget
    contrôle identité contrôles gendarmerie frontière migrants asile hébergement logement
    expulsion école université étudiants santé hôpital numérique plateforme réseau social
    censure modération chiffrement messagerie Telegram Signal traçage géolocalisation
    téléphone opérateur réquisition enquête journaliste source lanceur alerte transparence
    archives rapport étude chiffres carte Lyon Paris Marseille Nantes Toulouse Bordeaux Lille
    Rennes Grenoble Strasbourg Montpellier JO olympiques expérimentation intelligence
    artificielle IA automatisée détection comportement anormal foule stade gare métro bus
    """.split()  # noqa: SIM905
)
TAGS = tuple(
    """
    surveillance Vidéosurveillance VSA reconnaissance_faciale CNIL police fichage
    BigBrother technopolice libertés pétition manif JO2024 drones biométrie IA données
    Lyon Paris Marseille Nantes mobilisation
    """.split()  # noqa: SIM905
)
SITES = tuple(
    """
    www.lemonde.fr www.liberation.fr www.mediapart.fr www.laquadrature.net www.francetvinfo.fr
    www.ouest-france.fr www.20minutes.fr www.lefigaro.fr www.nextinpact.com reporterre.net
    www.cnil.fr www.legifrance.gouv.fr www.change.org basta.media www.numerama.com
    """.split()  # noqa: SIM905
)


@dataclass(frozen=True, slots=True)
class SyntheticShare:
    text: str
    urls: tuple[str, ...]
    hashtags: tuple[str, ...]


def zipf_choice(rng: random.Random, items: tuple[str, ...] | list[str], s: float = 1.1) -> str:
    """A Zipf-distributed pick: the first items are much more frequent than the last ones."""
    weights = _weights(len(items), s)
    return rng.choices(items, cum_weights=weights)[0]


_WEIGHT_CACHE: dict[tuple[int, float], list[float]] = {}


def _weights(n: int, s: float) -> list[float]:
    key = (n, s)
    if key not in _WEIGHT_CACHE:
        total, cumulative = 0.0, []
        for rank in range(1, n + 1):
            total += 1.0 / rank**s
            cumulative.append(total)
        _WEIGHT_CACHE[key] = cumulative
    return _WEIGHT_CACHE[key]


def share(rng: random.Random, serial: int) -> SyntheticShare:
    """A message with 1-3 links, 0-4 hashtags and a few French words."""
    words = [zipf_choice(rng, WORDS) for _ in range(rng.randint(3, 14))]
    urls = tuple(
        f"https://{rng.choice(SITES)}/{zipf_choice(rng, WORDS).lower()}/{serial}-{i}"
        f"?utm_source=telegram&id={rng.randint(1, 9999)}"
        for i in range(rng.randint(1, 3))
    )
    tags = tuple(dict.fromkeys(f"#{zipf_choice(rng, TAGS)}" for _ in range(rng.randint(0, 4))))
    text = " ".join([*words, *tags, *urls])
    return SyntheticShare(text=text, urls=urls, hashtags=tags)
