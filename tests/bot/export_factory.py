"""Synthetic Telegram Desktop exports of any size, written message by message (for tests and
bench/import.py): the current format, French text, hashtags and links as typed parts."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

CHAT_BARE_ID = 1_234_567_890
CHAT_ID = -1_001_234_567_890  # the Bot API id of CHAT_BARE_ID as a supergroup
START = 1_600_000_000
WORDS = (
    "surveillance",
    "vidéosurveillance",
    "reconnaissance",
    "faciale",
    "caméra",
    "algorithmique",
    "police",
    "fichier",
    "données",
    "personnelles",
    "CNIL",
    "liberté",
    "manifestation",
    "préfecture",
    "drone",
    "biométrie",
    "loi",
    "décret",
    "recours",
    "pétition",
    "mobilisation",
    "collectif",
    "association",
    "quartier",
    "mairie",
    "élus",
    "Lyon",
    "Paris",
)
TAGS = ("surveillance", "Vidéosurveillance", "VSA", "CNIL", "police", "technopolice", "JO2024")
SITES = ("www.lemonde.fr", "www.laquadrature.net", "reporterre.net", "www.change.org")


def message(rng: random.Random, message_id: int, with_links: bool) -> dict[str, Any]:
    """One "message" entry: words, 0-3 hashtags, and 1-3 links when `with_links`."""
    date = START + message_id * 60
    user = rng.randrange(200)
    parts: list[object] = [" ".join(rng.choices(WORDS, k=rng.randint(3, 12))) + " "]
    for tag in rng.sample(TAGS, rng.randint(0, 3)):
        parts += [{"type": "hashtag", "text": f"#{tag}"}, " "]
    for _ in range(rng.randint(1, 3) if with_links else 0):
        url = f"https://{rng.choice(SITES)}/article/{rng.randrange(50_000)}?utm_source=tg"
        if rng.random() < 0.2:
            parts += [{"type": "text_link", "text": "à lire", "href": url}, " "]
        else:
            parts += [{"type": "link", "text": url}, " "]
    entry: dict[str, Any] = {
        "id": message_id,
        "type": "message",
        "date": "2020-09-13T12:26:40",
        "date_unixtime": str(date),
        "from": f"Membre {user}",
        "from_id": f"user{10_000 + user}",
        "text": parts,
        "text_entities": [
            part if isinstance(part, dict) else {"type": "plain", "text": part} for part in parts
        ],
    }
    if rng.random() < 0.05:
        entry["edited"], entry["edited_unixtime"] = "2020-09-13T12:30:00", str(date + 300)
    return entry


def write_telegram_export(
    path: Path, count: int, *, link_ratio: float = 0.6, seed: int = 20261129
) -> None:
    """An export of `count` messages (a few of them service messages), written as it goes."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as out:
        out.write('{\n "name": "Veille Lyon",\n "type": "private_supergroup",\n')
        out.write(f' "id": {CHAT_BARE_ID},\n "messages": [\n')
        for message_id in range(1, count + 1):
            if rng.random() < 0.02:
                entry: dict[str, Any] = {
                    "id": message_id,
                    "type": "service",
                    "date_unixtime": str(START + message_id * 60),
                    "actor": "Membre 1",
                    "action": "pin_message",
                    "text": "",
                }
            else:
                entry = message(rng, message_id, rng.random() < link_ratio)
            out.write(
                ("  " if message_id == 1 else ",\n  ") + json.dumps(entry, ensure_ascii=False)
            )
        out.write("\n ]\n}\n")
