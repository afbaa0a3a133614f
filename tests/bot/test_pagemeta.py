"""Page metadata extraction on fixture pages written for these tests, and its awkward inputs."""

from __future__ import annotations

import codecs
import time
from pathlib import Path

import pytest

from bot.pagemeta import (
    MAX_DESCRIPTION_CHARS,
    MAX_TITLE_CHARS,
    PageMeta,
    choose_encoding,
    clean_text,
    extract_page_meta,
    parse_content_type,
)

PAGES = Path(__file__).parent / "fixtures" / "pages"


@pytest.mark.parametrize(
    ("fixture", "content_type", "url", "expected"),
    [
        (
            "article_fr_opengraph.html",
            "text/html; charset=utf-8",
            "https://libertes.example/a/b",
            PageMeta(
                title="Reconnaissance faciale : « la CNIL s’inquiète »",
                description=(
                    "L’autorité rappelle que la vidéosurveillance algorithmique reste "
                    "interdite & demande un débat public — avant les JO."
                ),
                site_name="Veille Libertés",
                canonical_url="https://libertes.example/articles/reconnaissance-faciale?utm_source=rss",
                language="fr-FR",
                content_type="text/html",
            ),
        ),
        (
            "windows1252_title_only.html",
            "text/html",
            "http://vieux-site.example/",
            PageMeta(
                title="Vidéosurveillance : l’État recule – « enfin »",
                content_type="text/html",
            ),
        ),
        (
            "empty_title_site_name.html",
            "text/html;charset=UTF-8",
            "https://courrier.example/faits-divers/1",
            PageMeta(site_name="Le Courrier du Centre", content_type="text/html"),
        ),
        ("no_metadata.html", None, "https://asso.example/", PageMeta(content_type="text/html")),
        (
            "broken_jsonld.html",
            "text/html; charset=utf-8",
            "https://vigilance.example/p",
            PageMeta(
                title="Pétition : non à la surveillance de masse",
                description="Signez avant le 30 juin ✊ — 12 000 signatures déjà.",
                site_name="Collectif Vigilance",
                language="fr",
                content_type="text/html",
            ),
        ),
        (
            "xhtml_latin1.xhtml",
            "application/xhtml+xml",
            "https://guides.example/docs/x/page.xhtml",
            PageMeta(
                title="Associations : déclarer une manifestation",
                description="Démarches à suivre en préfecture, délais et modèles.",
                canonical_url="https://guides.example/docs/guides/manifestation.xhtml",
                language="fr",
                content_type="application/xhtml+xml",
            ),
        ),
    ],
)
def test_fixture_pages(
    fixture: str, content_type: str | None, url: str, expected: PageMeta
) -> None:
    assert extract_page_meta((PAGES / fixture).read_bytes(), content_type, url) == expected


def test_empty_title_falls_back_to_the_site_name_for_display() -> None:
    body = (PAGES / "empty_title_site_name.html").read_bytes()
    meta = extract_page_meta(body, "text/html", "https://courrier.example/")
    assert (meta.title, meta.display_title) == (None, "Le Courrier du Centre")


@pytest.mark.parametrize(
    ("body", "content_type", "expected_type"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "application/pdf", "application/pdf"),
        (b"<title>Pas du HTML</title>", "text/plain; charset=utf-8", "text/plain"),
        (b'{"title": "JSON"}', "application/json", "application/json"),
        (
            b"<rss><channel><title>Flux</title></channel></rss>",
            "application/rss+xml",
            "application/rss+xml",
        ),
        (b"\x89PNG\r\n\x1a\n", None, None),
        (b"", None, None),
    ],
)
def test_other_types_only_report_their_type(
    body: bytes, content_type: str | None, expected_type: str | None
) -> None:
    meta = extract_page_meta(body, content_type, "https://example.org/file")
    assert meta == PageMeta(content_type=expected_type)


def test_twenty_megabyte_page_parses_only_a_prefix_quickly() -> None:
    head = '<html><head><meta property="og:title" content="Très gros dossier"></head><body>'
    body = head.encode() + "<p>Données à n’en plus finir.</p>".encode() * 700_000
    assert len(body) > 20_000_000
    started = time.monotonic()
    meta = extract_page_meta(body, "text/html; charset=utf-8", "https://example.org/")
    assert meta.title == "Très gros dossier"
    assert time.monotonic() - started < 1.0


@pytest.mark.parametrize(
    "page",
    [
        "<html><head></head><body>" + "<div>" * 250_000,
        "<html><head><template>" + "<ul><li>" * 150_000,
        "<html><head>" + "<style>a{}</style>" * 30_000 + "<dl><dd>" * 150_000,
    ],
)
def test_deeply_nested_markup_costs_bounded_time(page: str) -> None:
    started = time.monotonic()
    meta = extract_page_meta(page.encode(), "text/html", "https://e.example/")
    assert meta == PageMeta(content_type="text/html")
    assert time.monotonic() - started < 1.5  # about 0.25 s; unbounded, 30 s and more


def test_metadata_after_a_long_head_is_found() -> None:
    scripts = "<script>window.état = {};</script>" * 6_000  # about 200 KiB of head
    head = scripts + '<meta property="og:title" content="Après les scripts">'
    assert len(head) > 3 * 64 * 1024
    meta = extract_page_meta(html_page(head, "<p>corps</p>"), "text/html", "https://e.example/")
    assert meta.title == "Après les scripts"


def html_page(head: str, body: str = "", *, lang: str = "") -> bytes:
    opening = f'<html lang="{lang}">' if lang else "<html>"
    return f"<!DOCTYPE html>{opening}<head>{head}</head><body>{body}</body></html>".encode()


@pytest.mark.parametrize(
    ("head", "expected_title"),
    [
        ('<meta name="og:title" content="OG déclaré avec name">', "OG déclaré avec name"),
        ('<meta property="OG:TITLE" content="Clé en majuscules">', "Clé en majuscules"),
        ('<meta name="twitter:title" content="Carte Twitter 🐦">', "Carte Twitter 🐦"),
        ('<meta property="og:title" content="{{ title }}"><title>Vrai</title>', "Vrai"),
        ('<meta property="og:title" content="{% block t %}"><title>Vrai</title>', "Vrai"),
        ('<meta property="og:title" ng-attr-content="Angular"><title>Repli</title>', "Repli"),
        (
            "<title>L&#039;&eacute;t&eacute; &amp; la r&#xE9;pression</title>",
            "L'été & la répression",
        ),
        ('<meta property="og:title" content="l&amp;#8217;appel">', "l’appel"),
        ("<title>Tab\tet\nretours   multiples</title>", "Tab et retours multiples"),
        (
            "<title>Espaces\u00a0insécables\u202f: gardées</title>",
            "Espaces\u00a0insécables\u202f: gardées",
        ),
        ("<title>حرية التعبير على الإنترنت</title>", "حرية التعبير على الإنترنت"),
        ("<title>Contrôle\x07 caractère</title>", "Contrôle caractère"),
        ("<title>   </title>", None),
        ("", None),
    ],
)
def test_title_sources_and_cleaning(head: str, expected_title: str | None) -> None:
    meta = extract_page_meta(html_page(head), "text/html; charset=utf-8", "https://e.example/")
    assert meta.title == expected_title


def test_svg_titles_in_the_body_are_not_the_page_title() -> None:
    page = html_page("", "<svg><title>icône</title></svg><title>Tardif mais HTML</title>")
    assert extract_page_meta(page, "text/html", "https://e.example/").title == "Tardif mais HTML"


@pytest.mark.parametrize(
    ("field", "text", "limit"),
    [
        ("title", "Liberté " * 100, MAX_TITLE_CHARS),
        ("description", "égalité " * 300, MAX_DESCRIPTION_CHARS),
    ],
)
def test_long_values_are_capped_on_a_word(field: str, text: str, limit: int) -> None:
    head = f'<meta property="og:{field}" content="{text}">'
    value = getattr(extract_page_meta(html_page(head), "text/html", "https://e.example/"), field)
    assert len(value) <= limit
    assert value.endswith("…")
    assert value[:-1].split(" ")[-1] in text.split()


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        ('<link rel="canonical" href="/page?id=3">', "https://site.example/page?id=3"),
        ('<link rel="canonical" href="//cdn.example/x">', "https://cdn.example/x"),
        ('<link rel="Canonical" href="autre.html">', "https://site.example/dossier/autre.html"),
        ('<link rel="canonical" href="javascript:alert(1)">', None),
        ('<link rel="canonical" href="mailto:a@b.example">', None),
        ('<link rel="canonical" href="http://[::1">', None),
        (
            '<meta property="og:url" content="ftp://x.example/"><link rel="canonical" href="/ok">',
            "https://site.example/ok",
        ),
        ('<link rel="canonical" href="   ">', None),
    ],
)
def test_canonical_url_is_absolute_http(head: str, expected: str | None) -> None:
    meta = extract_page_meta(html_page(head), "text/html", "https://site.example/dossier/page")
    assert meta.canonical_url == expected


@pytest.mark.parametrize(
    ("head", "lang", "expected"),
    [
        ('<meta property="og:locale" content="fr_FR">', "en", "fr-FR"),
        ("", "FR", "fr"),
        ("", "pt-BR", "pt-BR"),
        ("", "{{locale}}", None),
        ("", "français", None),
        ('<meta property="og:locale" content="not a locale">', "de", "de"),
    ],
)
def test_language(head: str, lang: str, expected: str | None) -> None:
    meta = extract_page_meta(html_page(head, lang=lang), "text/html", "https://e.example/")
    assert meta.language == expected


@pytest.mark.parametrize(
    ("body", "declared", "expected"),
    [
        (codecs.BOM_UTF8 + "é".encode(), "iso-8859-1", "utf-8-sig"),
        (codecs.BOM_UTF16_LE + "é".encode("utf-16-le"), None, "utf-16"),
        ("é".encode("cp1252"), "ISO-8859-1", "cp1252"),
        ("é".encode(), "utf8", "utf-8"),
        (b'<meta charset="windows-1251"><title>\xcf\xf0\xe8</title>', None, "cp1251"),
        (
            b'<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-15">',
            None,
            "iso8859-15",
        ),
        (b'<meta charset="utf-16">', None, "utf-8"),
        (b'<meta charset="no-such-charset">caf\xc3\xa9', None, "utf-8"),
        ("Été déjà là, à 8 h".encode("cp1252"), "bogus", "cp1252"),  # detection gives up
        ("<title>Vidéosurveillance : l’État recule</title>".encode("cp1252"), None, "cp1252"),
        ("Свобода слова и цензура в интернете".encode("cp1251"), None, "cp1251"),
        (b"plain ascii", None, "utf-8"),
        (b"", None, "utf-8"),
    ],
)
def test_choose_encoding(body: bytes, declared: str | None, expected: str) -> None:
    assert choose_encoding(body, declared) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("text/html; charset=UTF-8", ("text/html", "utf-8")),
        ('text/html; charset="ISO-8859-1"', ("text/html", "iso-8859-1")),
        ("TEXT/HTML", ("text/html", None)),
        ("application/xhtml+xml;charset=utf-8;q=1", ("application/xhtml+xml", "utf-8")),
        ("", (None, None)),
        (None, (None, None)),
    ],
)
def test_parse_content_type(value: str | None, expected: tuple[str | None, str | None]) -> None:
    assert parse_content_type(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, None), ("", None), (" \n\t ", None), ("a {{b}} c", None), ("  a \n b  ", "a b")],
)
def test_clean_text(value: str | None, expected: str | None) -> None:
    assert clean_text(value) == expected


@pytest.mark.parametrize(
    "body",
    [
        b"\x00\xff\xfe" * 1000,
        b"<html><head><meta charset='x-user-defined'><title>\x80\x81</title>",
        b"<" * 100_000,
        b'<script type="application/ld+json">[[[[[[[[[[' + b"[" * 10_000 + b"</script>",
        b'<script type="application/ld+json">"juste une cha\xc3\xaene"</script>',
        b'<meta property="og:title" content="\xff\xfe\xfa">',
    ],
)
def test_hostile_bodies_never_raise(body: bytes) -> None:
    meta = extract_page_meta(body, "text/html", "https://e.example/")
    assert meta.content_type == "text/html"
