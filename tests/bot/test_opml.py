"""OPML in and out, and the XML attacks it must not fall for."""

from __future__ import annotations

import pytest

from bot.opml import OpmlError, OpmlFeed, read_opml, write_opml

READER_EXPORT = b"""<?xml version="1.0" encoding="UTF-8"?>
<opml version="1.0">
  <head><title>Abonnements</title></head>
  <body>
    <outline text="Libert\xc3\xa9s num\xc3\xa9riques" title="Libert\xc3\xa9s num\xc3\xa9riques">
      <outline type="rss" text="Observatoire" xmlUrl="https://libertes.example.org/feed.xml"
               htmlUrl="https://libertes.example.org/"/>
      <outline text="Sous-dossier">
        <outline type="rss" title="Vigie" xmlUrl="https://vigie.example.org/feed.json"/>
      </outline>
    </outline>
    <outline type="rss" text="Sans dossier" xmlUrl="https://sans.example.org/rss"/>
    <outline type="rss" text="Doublon" xmlUrl="https://sans.example.org/rss"/>
    <outline text="Dossier vide"/>
  </body>
</opml>
"""


def test_read_a_feed_readers_export() -> None:
    assert read_opml(READER_EXPORT) == [
        OpmlFeed(
            "https://libertes.example.org/feed.xml", "Observatoire", ("Libertés numériques",)
        ),
        OpmlFeed(
            "https://vigie.example.org/feed.json",
            "Vigie",
            ("Libertés numériques", "Sous-dossier"),
        ),
        OpmlFeed("https://sans.example.org/rss", "Sans dossier", ()),
    ]


def test_export_reads_back_the_same() -> None:
    feeds = [
        OpmlFeed("https://a.example/feed?x=1&y=2", "A & « B »", ("VSA",)),
        OpmlFeed("https://b.example/rss", None, ()),
        OpmlFeed("https://c.example/rss", "C", ("VSA",)),
    ]
    document = write_opml(feeds)
    assert document.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<opml version="2.0">')
    assert read_opml(document.encode()) == [
        OpmlFeed("https://a.example/feed?x=1&y=2", "A & « B »", ("VSA",)),
        OpmlFeed("https://c.example/rss", "C", ("VSA",)),
        OpmlFeed("https://b.example/rss", "https://b.example/rss", ()),
    ]


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<opml version="2.0"><body><outline text="&lol4;" xmlUrl="https://a.example/"/></body></opml>
"""
EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE opml [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<opml version="2.0"><body><outline text="&secret;" xmlUrl="https://a.example/"/></body></opml>
"""


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (BILLION_LAUGHS, "DOCTYPE"),
        (EXTERNAL_ENTITY, "DOCTYPE"),
        (b"<opml><body><outline xmlUrl='https://a.example/'>", "not well-formed"),
        (b"<rss version='2.0'><channel/></rss>", "no <opml>"),
        (b"", "not well-formed"),
    ],
)
def test_refused_documents(data: bytes, reason: str) -> None:
    with pytest.raises(OpmlError) as raised:
        read_opml(data)
    assert reason in str(raised.value)
