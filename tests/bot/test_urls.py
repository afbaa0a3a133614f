"""URL normalisation: canonical form, tracking parameters stripped, rejections, idempotence."""

from __future__ import annotations

import json
import string
from importlib.resources import files

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.urls import MAX_URL_LENGTH, is_tracking_param, normalize_url, url_domain

LE_MONDE_ARTICLE = (
    "https://www.lemonde.fr/pixels/article/2024/03/12/"
    "videosurveillance-algorithmique-la-cnil-alerte_6221234_4408996.html"
)

NORMALIZED: list[tuple[str, str]] = [
    # French news and activist sites, as members share them.
    (
        LE_MONDE_ARTICLE + "?utm_source=twitter&utm_medium=social&xtor=RSS-3208#xtor=RSS-3208",
        LE_MONDE_ARTICLE,
    ),
    (
        LE_MONDE_ARTICLE + "?contributions&utm_campaign=envoye-par-appli",
        LE_MONDE_ARTICLE + "?contributions",
    ),
    (
        "HTTPS://WWW.LIBERATION.FR:443/societe/police-justice/loi-securite-globale/"
        "?utm_medium=Social&utm_source=Twitter#Echobox=1710238123",
        "https://www.liberation.fr/societe/police-justice/loi-securite-globale/",
    ),
    (
        "https://www.francetvinfo.fr/societe/drones-surveillance_6421234.html"
        "#xtor=CS2-765-[twitter]-",
        "https://www.francetvinfo.fr/societe/drones-surveillance_6421234.html",
    ),
    (
        "https://www.mediapart.fr/journal/france/120324/surveillance-des-militants"
        "?at_medium=custom7&at_campaign=1047&utm_source=global&xtor=CS3-5",
        "https://www.mediapart.fr/journal/france/120324/surveillance-des-militants",
    ),
    ("www.laquadrature.net", "https://www.laquadrature.net/"),
    (
        "laquadrature.net/2024/03/01/la-vsa-a-paris/?mtm_campaign=newsletter&mtm_source=mail",
        "https://laquadrature.net/2024/03/01/la-vsa-a-paris/",
    ),
    (
        "https://www.change.org/p/non-a-la-videosurveillance-algorithmique"
        "?recruiter=1234567&recruited_by_id=ab12-cd34&utm_source=share_petition"
        "&utm_medium=custom_url&source_location=psf_petitions&share_intent=1",
        "https://www.change.org/p/non-a-la-videosurveillance-algorithmique",
    ),
    (
        "https://www.mesopinions.com/petition/politique/stop-vsa/212345?fbclid=IwAR0Zx_k9",
        "https://www.mesopinions.com/petition/politique/stop-vsa/212345",
    ),
    (
        "https://petitions.assemblee-nationale.fr/initiatives/i-2743?locale=fr&utm_source=signal",
        "https://petitions.assemblee-nationale.fr/initiatives/i-2743?locale=fr",
    ),
    (
        "https://www.ouest-france.fr/bretagne/rennes-35000/manifestation-rennes"
        "-a1b2c3d4?xtor=CS1-3&page=2",
        "https://www.ouest-france.fr/bretagne/rennes-35000/manifestation-rennes-a1b2c3d4?page=2",
    ),
    (
        "https://www.20minutes.fr/societe/4080000-20240312-reconnaissance-faciale"
        "?at_medium=Social&at_campaign=Twitter&at_ptr_name=twitter",
        "https://www.20minutes.fr/societe/4080000-20240312-reconnaissance-faciale",
    ),
    (
        "https://www.lefigaro.fr/actualite-france/jo-2024-cameras-20240312#xtor=AL-155-[twitter]",
        "https://www.lefigaro.fr/actualite-france/jo-2024-cameras-20240312",
    ),
    # Host-specific trackers; the same names stay elsewhere.
    ("https://youtu.be/dQw4w9WgXcQ?si=AbCdEf123xyz&t=42", "https://youtu.be/dQw4w9WgXcQ?t=42"),
    (
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ&feature=youtu.be&pp=ygUFc3RvcA%3D%3D",
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
    ),
    (
        "https://x.com/laquadrature/status/1767?s=20&t=AbCd_Ef",
        "https://x.com/laquadrature/status/1767",
    ),
    (
        "https://www.instagram.com/p/C4abc/?igsh=MWQ1ZGUx&img_index=1",
        "https://www.instagram.com/p/C4abc/?img_index=1",
    ),
    (
        "https://www.amazon.fr/dp/B0CX?tag=moi-21&th=1&pd_rd_w=Xy",
        "https://www.amazon.fr/dp/B0CX?th=1",
    ),
    (
        "https://www.google.fr/search?q=vid%C3%A9osurveillance&ved=2ahUKE&ei=abc",
        "https://www.google.fr/search?q=vid%C3%A9osurveillance",
    ),
    (
        "https://example.org/search?q=vsa&page=2&ref=nav&source=home&lang=fr&tag=x&s=1&p=3&v=2"
        "&t=5&id=9&si=1&feature=a&game=1",
        "https://example.org/search?q=vsa&page=2&ref=nav&source=home&lang=fr&tag=x&s=1&p=3&v=2"
        "&t=5&id=9&si=1&feature=a&game=1",
    ),
    # Scheme and host: case, IDN, IPv6, ports, trailing dot, escapes.
    ("https://exemple.français/", "https://exemple.xn--franais-xxa/"),
    ("https://Élysée.fr/Président", "https://xn--lyse-9oad.fr/Pr%C3%A9sident"),
    ("https://XN--FRANAIS-XXA.exemple/", "https://xn--franais-xxa.exemple/"),
    (
        "https://موقع.وزارة-الاتصالات.مصر/",
        "https://xn--4gbrim.xn----ymcbaaajlc6dj7bxne2c.xn--wgbh1c/",
    ),
    ("http://[2001:DB8:0:0:0:0:0:1]:80/ipv6", "http://[2001:db8::1]/ipv6"),
    ("https://[::1]:8443", "https://[::1]:8443/"),
    ("https://example.org:443/", "https://example.org/"),
    ("http://example.org:80/a", "http://example.org/a"),
    ("https://example.org:80/", "https://example.org:80/"),
    ("http://example.org:0008080", "http://example.org:8080/"),
    ("HTTPS://WWW.LAQUADRATURE.NET/Dossiers", "https://www.laquadrature.net/Dossiers"),
    ("https://example.org./", "https://example.org/"),
    ("https://ex%61mple.org/", "https://example.org/"),
    ("//example.org/relatif", "https://example.org/relatif"),
    ("lemonde.fr/article", "https://lemonde.fr/article"),
    # User information is never stored; a backslash ends the host as in browsers.
    ("https://militant:motdepasse@framagit.org/veille/", "https://framagit.org/veille/"),
    ("http://user@example.org:8080", "http://example.org:8080/"),
    ("https://evil.example\\@good.example/", "https://evil.example/@good.example/"),
    # Fragments: routes stay (without their trackers), anchors and tracking go.
    ("https://example.org/page#section1", "https://example.org/page"),
    ("https://example.org/#!/petition/42", "https://example.org/#!/petition/42"),
    (
        "https://app.example.org/#/campagne/stop-vsa?utm_source=mastodon&tab=signer",
        "https://app.example.org/#/campagne/stop-vsa?tab=signer",
    ),
    ("https://app.example.org/#/?utm_source=x", "https://app.example.org/"),
    ("http://domain.tld:3000?my=stuff#tk.rss_all", "http://domain.tld:3000/?my=stuff"),
    ("https://example.org/a#/b#c", "https://example.org/a#/b%23c"),
    # Percent-encoding: unreserved decoded, reserved kept, the rest encoded as UTF-8.
    (
        "https://example.org/%7eauteur/%41rticle/a%2fb/caf%c3%a9",
        "https://example.org/~auteur/Article/a%2Fb/caf%C3%A9",
    ),
    (
        "https://fr.wikipedia.org/wiki/Vidéosurveillance?x=é ü",
        "https://fr.wikipedia.org/wiki/Vid%C3%A9osurveillance?x=%C3%A9%20%C3%BC",
    ),
    (
        "https://example.org/?q=a%26b%3dc&r=1+2&s=%2B",
        "https://example.org/?q=a%26b%3Dc&r=1+2&s=%2B",
    ),
    ("https://example.org/100%/sur?taux=5%", "https://example.org/100%25/sur?taux=5%25"),
    ("https://example.org/✊/grève", "https://example.org/%E2%9C%8A/gr%C3%A8ve"),
    (
        "https://ar.wikipedia.org/wiki/مراقبة",
        "https://ar.wikipedia.org/wiki/%D9%85%D8%B1%D8%A7%D9%82%D8%A8%D8%A9",
    ),
    ("https://example.org/a[1]|{b}", "https://example.org/a%5B1%5D%7C%7Bb%7D"),
    # Dot segments and empty paths.
    ("https://example.org/a/b/../c/./d", "https://example.org/a/c/d"),
    ("https://example.org/a/%2E%2E/b", "https://example.org/b"),
    ("https://example.org/a/b/..", "https://example.org/a/"),
    ("https://example.org/../../x", "https://example.org/x"),
    ("https://example.org//double//slash", "https://example.org//double//slash"),
    ("https://example.org", "https://example.org/"),
    # Query: order, repeated keys, blank values kept; tracking, empty pieces and "?" go.
    ("https://example.org/?b=2&a=1&b=3&c=&d", "https://example.org/?b=2&a=1&b=3&c=&d"),
    ("https://example.org/article?utm_source=a&fbclid=b&gclid=c", "https://example.org/article"),
    ("https://example.org/?UTM_SOURCE=a&Fbclid=b&keep=1", "https://example.org/?keep=1"),
    ("https://example.org/?utm%5Fsource=x&a=1&amp;utm_medium=y", "https://example.org/?a=1"),
    ("https://example.org/??utm_source=x", "https://example.org/"),
    ("https://example.org/?", "https://example.org/"),
    ("https://example.org/?&&a=1&", "https://example.org/?a=1"),
    (
        "https://example.com/foo.jpg?crop/1420x708/format/webp",
        "https://example.com/foo.jpg?crop/1420x708/format/webp",
    ),
    # Surrounding junk and line breaks pasted with the link.
    ("  https://example.org/ \n", "https://example.org/"),
    ("\u200bhttps://example.org/x\u200e\u00a0", "https://example.org/x"),
    ("https://example.org/longue-\nadresse", "https://example.org/longue-adresse"),
    ("https://exa\tmple.org/", "https://example.org/"),
]


@pytest.mark.parametrize(("raw", "expected"), NORMALIZED)
def test_normalize_url(raw: str, expected: str) -> None:
    assert normalize_url(raw) == expected


REJECTED: list[str] = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(document.cookie)//https://example.org/",
    "data:text/html;base64,PHNjcmlwdD4=",
    "file:///etc/passwd",
    "tg://resolve?domain=laquadrature",
    "mailto:contact@laquadrature.net",
    "contact@laquadrature.net",
    "ftp://ftp.example.org/pub/",
    "about://reader?url=http%3A%2F%2Fdomain.tld%3A3000",
    "",
    "   \n\t ",
    "https://",
    "https://example|org/",
    "https://exa mple.org/",
    "https://example.org:99999/",
    "https://example.org:http/",
    "https://[fe80::1%25eth0]/",
    "https://[2001:db8::zz]/",
    "https://example.org/a\x00b",
    "https://example.org/\x1b[31m",
    "https://www.🤙.tk/",  # IDNA2008 has no emoji
    "https://xn--a-.example/",  # broken punycode
    "localhost/admin",
    "lemonde",
    "https://" + "a" * 64 + ".example/",  # a DNS label holds 63 characters
    "https://example.org/" + "a" * 10_000,
]


@pytest.mark.parametrize("raw", REJECTED)
def test_normalize_url_rejects(raw: str) -> None:
    assert normalize_url(raw) is None


def test_length_limit_applies_after_normalisation() -> None:
    base = "https://example.org/"
    assert normalize_url(base + "a" * (MAX_URL_LENGTH - len(base))) is not None
    assert normalize_url(base + "a" * (MAX_URL_LENGTH - len(base) + 1)) is None
    tracked = base + "article?utm_content=" + "x" * 10_000
    assert normalize_url(tracked) == base + "article"


DOMAINS: list[tuple[str, str]] = [
    (LE_MONDE_ARTICLE, "lemonde.fr"),
    ("https://exemple.xn--franais-xxa/", "exemple.français"),
    ("HTTPS://WWW.Exemple.Français/page", "exemple.français"),
    ("https://xn--lyse-9oad.fr/", "élysée.fr"),
    ("https://[2001:db8::1]:8080/", "2001:db8::1"),
    ("https://www.example.org:8443/", "example.org"),
    ("https://wwwexample.org/", "wwwexample.org"),
    ("https://www2.example.org/", "www2.example.org"),
    ("https://sub.www.example.org/", "sub.www.example.org"),
    ("lemonde.fr/article", "lemonde.fr"),
    ("https://user:secret@petitions.assemblee-nationale.fr/", "petitions.assemblee-nationale.fr"),
    ("javascript:alert(1)", ""),
    ("", ""),
]


@pytest.mark.parametrize(("url", "expected"), DOMAINS)
def test_url_domain(url: str, expected: str) -> None:
    assert url_domain(url) == expected


ALWAYS_TRACKING = [
    "utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content", "utm_id",
    "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "mc_cid", "mc_eid", "xtor",
    "_hsenc", "_hsmi", "__hstc", "__hssc", "__hsfp", "igshid", "yclid", "ysclid", "twclid",
    "mtm_source", "mtm_campaign", "pk_campaign", "pk_kwd", "_ga", "_gl", "spm", "srsltid",
    "UTM_SOURCE", "Fbclid", "utm%5Fmedium", "at_medium", "PHPSESSID", "user_email_address",
]  # fmt: skip

# Names that carry meaning on most sites: kept unless a host rule says otherwise.
MEANINGFUL = ["ref", "source", "id", "s", "q", "page", "p", "v", "t", "lang", "tag", "si",
              "feature", "referrer", "game", "locale", "mc", ""]  # fmt: skip


@pytest.mark.parametrize("name", ALWAYS_TRACKING)
def test_tracking_params_everywhere(name: str) -> None:
    assert is_tracking_param(name)
    assert is_tracking_param(name, "www.lemonde.fr")


@pytest.mark.parametrize("name", MEANINGFUL)
def test_meaningful_params_are_kept(name: str) -> None:
    assert not is_tracking_param(name)


HOST_SCOPED: list[tuple[str, str, bool]] = [
    ("si", "youtu.be", True),
    ("si", "www.youtube.com", True),
    ("si", "open.spotify.com", True),
    ("si", "example.org", False),
    ("recruiter", "www.change.org", True),
    ("recruiter", "notchange.org", False),
    ("recruiter", "change.org.evil.example", False),
    ("tag", "www.amazon.fr", True),
    ("tag", "www.amazon.co.uk", True),
    ("tag", "amazon.evil.com", False),
    ("t", "x.com", True),
    ("t", "www.youtube.com", False),
    ("ved", "www.google.fr", True),
    ("ved", "docs.google.com", False),
    ("__cft__[0]", "www.facebook.com", True),
    ("igsh", "WWW.INSTAGRAM.COM", True),
]


@pytest.mark.parametrize(("name", "host", "expected"), HOST_SCOPED)
def test_host_scoped_tracking_params(name: str, host: str, expected: bool) -> None:
    assert is_tracking_param(name, host) is expected


def test_data_set_records_its_provenance() -> None:
    text = files("bot").joinpath("data/tracking_params.json").read_text(encoding="utf-8")
    data = json.loads(text)
    source_ids = {source["id"] for source in data["sources"]}
    groups = data["global"] + data["hosts"]
    for group in groups:
        cited = group["source"] if isinstance(group["source"], list) else [group["source"]]
        assert set(cited) <= source_ids
        for name in group["names"] + group["prefixes"]:
            assert name == name.lower(), name
    everywhere = {name for group in data["global"] for name in group["names"]}
    assert everywhere.isdisjoint(MEANINGFUL)


URL_PIECES = st.text(alphabet=string.printable + "éàçœ✊😀ا\u200b%", max_size=40)
HOSTS = ["example.org", "WWW.LeMonde.FR:443", "exemple.français", "[::1]", "xn--lyse-9oad.fr",
         "youtu.be", "example.org:8080", "a|b", ""]  # fmt: skip
URLS = st.builds(
    "{}{}{}/{}?{}={}&{}#{}".format,
    st.sampled_from(["https://", "HTTP://", "", "//", "javascript:", "https:\\\\"]),
    st.sampled_from(["", "u:p@", "@"]),
    st.sampled_from(HOSTS),
    URL_PIECES,
    st.sampled_from(["utm_source", "a", "si", "UTM_medium", ""]),
    URL_PIECES,
    URL_PIECES,
    URL_PIECES,
)


@settings(max_examples=200, deadline=None)
@given(st.one_of(URLS, st.text(max_size=300)))
def test_normalize_url_is_idempotent_and_total(raw: str) -> None:
    normalized = normalize_url(raw)
    assert isinstance(url_domain(raw), str)
    if normalized is None:
        return
    assert normalize_url(normalized) == normalized
    assert normalized.isascii()
    assert normalized.startswith(("http://", "https://"))
    assert len(normalized) <= MAX_URL_LENGTH
    assert not any(is_tracking_param(piece.partition("=")[0]) for piece in _query(normalized))


def _query(url: str) -> list[str]:
    return url.partition("#")[0].partition("?")[2].split("&")
