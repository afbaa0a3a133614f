"""Recognition of petitions and campaigns: URL rules, tags, precedence and rules files."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

import pytest

from bot.classify import (
    Kind,
    RecognitionRules,
    RulesFileError,
    UrlRule,
    classify,
    default_rules,
    load_rules,
)
from bot.folding import fold_key


def tag_keys(*hashtags: str) -> list[str]:
    """Hashtags as the capture pipeline hands them over: without "#", folded."""
    return [fold_key(tag.lstrip("#")) for tag in hashtags]


RULES = default_rules()

URL_CASES: list[tuple[str, Kind]] = [
    # change.org and its short links.
    ("https://www.change.org/p/stop-a-la-reconnaissance-faciale", "petition"),
    ("https://change.org/p/x", "petition"),
    ("https://m.change.org/p/x", "petition"),
    ("https://www.change.org/P/Upper-Case-Path", "petition"),
    ("https://www.change.org/fr/p%C3%A9titions/ancien-lien", "petition"),
    ("https://www.change.org/en-GB/petitions/old-link", "petition"),
    ("https://www.change.org:443/p/with-port", "petition"),
    ("https://www.change.org./p/trailing-dot", "petition"),
    ("http://www.change.org/p/plain-http", "petition"),
    ("https://chng.it/AbCdEf12", "petition"),
    ("https://chng.it/", "link"),
    ("https://www.change.org/about", "link"),
    ("https://www.change.org/", "link"),
    ("https://www.change.org/o/quadrature", "link"),
    ("https://change.org.evil.com/p/x", "link"),
    ("https://evilchange.org/p/x", "link"),
    ("https://notchange.org/p/x", "link"),
    ("https://change.org@evil.com/p/x", "link"),
    ("https://evil.com/change.org/p/x", "link"),
    ("https://evil.com/p/x?next=https://www.change.org/p/x", "link"),
    ("ftp://change.org/p/x", "link"),
    # French platforms.
    ("https://www.mesopinions.com/petition/politique/non-a-la-vsa/12345", "petition"),
    ("https://www.mesopinions.com/blog/comment-ecrire", "link"),
    ("https://petitions.assemblee-nationale.fr/initiatives/i-2743", "petition"),
    ("https://petitions.assemblee-nationale.fr/pages/aide", "link"),
    ("https://petitions.senat.fr/initiatives/i-416", "petition"),
    ("https://www.senat.fr/initiatives/i-416", "link"),
    ("https://www.amnesty.fr/petitions/liberez-les-defenseurs", "petition"),
    ("https://www.amnesty.fr/actualites/reconnaissance-faciale-en-france", "link"),
    ("https://agir.greenpeace.fr/stop-pesticides", "petition"),
    ("https://agir.greenpeace.fr/", "link"),
    ("https://www.greenpeace.fr/stop-pesticides", "link"),
    # International platforms.
    ("https://secure.avaaz.org/campaign/fr/protegeons_nos_donnees_loc/", "petition"),
    ("https://secure.avaaz.org/fr/petition/Sauvons_les_abeilles/", "petition"),
    ("https://secure.avaaz.org/en/community_petitions/end_ecocide/", "petition"),
    ("https://avaaz.org/page/fr/petition-climat", "petition"),
    ("https://secure.avaaz.org/fr/legal_defence_loc/", "link"),
    ("https://secure.avaaz.org/page/fr/", "link"),
    ("https://act.wemove.eu/campaigns/Living-Wages-HM", "petition"),
    ("https://you.wemove.eu/campaigns/notfall-grundeinkommen", "petition"),
    ("https://www.wemove.eu/about-us", "link"),
    ("https://www.openpetition.eu/petition/online/securing-our-digital-future", "petition"),
    ("https://www.openpetition.eu/at/petition/online/unsere-au", "petition"),
    ("https://www.openpetition.de/petition/online/rettet-die-bienen", "petition"),
    ("https://www.openpetition.de/!abcde", "petition"),
    ("https://www.openpetition.de/blog/neues", "link"),
    ("https://citizens-initiative.europa.eu/initiatives/details/2022/000002_fr", "petition"),
    ("https://citizens-initiative.europa.eu/how-it-works_fr", "link"),
    ("https://eci.ec.europa.eu/044/public/#/screen/home", "petition"),
    ("https://petition.parliament.uk/petitions/700000", "petition"),
    ("https://petition.parliament.uk/help", "link"),
    ("https://epetitionen.bundestag.de/petitionen/_2024/_01/_15/Petition_1.html", "petition"),
    ("https://act.eko.org/a/stop-surveillance", "petition"),
    ("https://www.eko.org/about", "link"),
    ("https://actions.sumofus.org/a/stop-surveillance", "petition"),
    ("https://you.38degrees.org.uk/petitions/save-our-libraries", "petition"),
    ("https://weact.campact.de/petitions/rettet-das-ifg", "petition"),
    ("https://aktion.campact.de/chatkontrolle/appell/teilnehmen", "petition"),
    ("https://www.campact.de/ueber-uns/", "link"),
    ("https://action.aclu.org/petition/stop-face-surveillance", "petition"),
    ("https://action.aclu.org/send-message/tell-congress-no-spying", "campaign"),
    ("https://action.aclu.org/give/now", "link"),
    # Campaign sites.
    ("https://paris.demosphere.net/rv/19667", "campaign"),
    ("https://mobilizon.fr/events/8a1d3c4e-0000-4000-8000-000000000000", "campaign"),
    ("https://mobilizon.fr/about/instance", "link"),
    # Not a platform, not a URL at all.
    ("https://www.laquadrature.net/2024/05/22/vsa-jo/", "link"),
    ("https://www.lemonde.fr/pixels/article/2024/petition-change-org.html", "link"),
    ("https://cdn.radiofrance.fr/s3/300x169_ep2repetitionde_lorchestre.jpg", "link"),
    ("", "link"),
    ("not a url", "link"),
    ("http://[::1", "link"),
]


@pytest.mark.parametrize(("url", "expected"), URL_CASES)
def test_url_rules_without_tags(url: str, expected: Kind) -> None:
    assert classify(url, [], RULES) == expected


NEWS = "https://www.mediapart.fr/journal/france/vsa-loi-jo"

TAG_CASES: list[tuple[str, tuple[str, ...], Kind]] = [
    (NEWS, (), "link"),
    (NEWS, ("#Pétition",), "petition"),
    (NEWS, ("#PÉTITIONS",), "petition"),
    (NEWS, ("#Pétitionner",), "petition"),
    (NEWS, ("#Pe\u0301tition",), "petition"),  # decomposed accent
    (NEWS, ("#ＳＩＧＮＥＺ",), "petition"),  # fullwidth letters
    (NEWS, ("#SignezLaPétition",), "petition"),
    (NEWS, ("#ÀSigner",), "petition"),
    (NEWS, ("#SignThePetition",), "petition"),
    (NEWS, ("#sign",), "petition"),
    (NEWS, ("#Campagne",), "campaign"),
    (NEWS, ("#Campaign",), "campaign"),
    (NEWS, ("#Mobilisation",), "campaign"),
    (NEWS, ("#Mobilization",), "campaign"),
    (NEWS, ("#Manif",), "campaign"),
    (NEWS, ("#RASSEMBLEMENT",), "campaign"),
    (NEWS, ("#AppelÀMobilisation",), "campaign"),
    (NEWS, ("#Vidéosurveillance", "#Manifestation"), "campaign"),
    # Both kinds of tags: the petition is the more specific call.
    (NEWS, ("#Campagne", "#Pétition"), "petition"),
    (NEWS, ("#pétition", "#campagne", "#manif"), "petition"),
    # Too broad to announce, or not exactly a recognised tag.
    (NEWS, ("#action",), "link"),
    (NEWS, ("#Pétitionnaire",), "link"),
    (NEWS, ("#VSA", "#BigBrother"), "link"),
    (NEWS, ("#🔥",), "link"),
    (NEWS, ("#עצומה",), "link"),  # "petition" in Hebrew (RTL): not a default tag
    (NEWS, ("",), "link"),
    # URL rules win over tags.
    ("https://www.change.org/p/x", ("#Campagne",), "petition"),
    ("https://paris.demosphere.net/rv/19667", ("#Pétition",), "campaign"),
    ("https://action.aclu.org/send-message/x", ("#petition",), "campaign"),
    # A host the rules do not cover: tags decide, even on a look-alike.
    ("https://change.org.evil.com/p/x", ("#Pétition",), "petition"),
    ("https://www.change.org/about", ("#manif",), "campaign"),
    ("not a url", ("#signez",), "petition"),
    ("http://[::1", ("#campagne",), "campaign"),
]


@pytest.mark.parametrize(("url", "hashtags", "expected"), TAG_CASES)
def test_tags_and_precedence(url: str, hashtags: tuple[str, ...], expected: Kind) -> None:
    assert classify(url, tag_keys(*hashtags), RULES) == expected


def test_tag_keys_may_be_any_iterable() -> None:
    assert classify(NEWS, (key for key in ["petition"]), RULES) == "petition"


def test_default_tags_are_folded_and_disjoint() -> None:
    all_tags = RULES.petition_tags | RULES.campaign_tags
    assert {tag for tag in all_tags if fold_key(tag) != tag} == set()
    assert RULES.petition_tags.isdisjoint(RULES.campaign_tags)
    assert "action" not in all_tags


def test_without_an_operator_file_the_defaults_apply() -> None:
    assert load_rules(None) == RULES


def write_rules(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "règles.toml"
    path.write_text(text, encoding="utf-8")
    return path


EXTENDING = """
[tags]
petition = ["#PétitionExpress", "Manif"]
campaign = ["Action"]

[[url_rules]]
host = "change.org"
path_prefix = "/p/test-"
kind = "link"

[[url_rules]]
host = "Petitions.Example.COOP"
path_regex = '^/\\d+$'
kind = "petition"
"""

EXTENDED_CASES: list[tuple[str, tuple[str, ...], Kind]] = [
    ("https://www.change.org/p/test-sandbox", (), "link"),
    ("https://www.change.org/p/real-petition", (), "petition"),
    ("https://www.petitions.example.coop/123", (), "petition"),
    ("https://www.petitions.example.coop/123/comments", (), "link"),
    ("https://petitions.example.coop.evil.com/123", (), "link"),
    (NEWS, ("#action",), "campaign"),
    (NEWS, ("#manif",), "petition"),  # moved from campaign to petition by the operator
    (NEWS, ("#PétitionExpress",), "petition"),
    (NEWS, ("#signez",), "petition"),  # defaults are kept
    ("https://paris.demosphere.net/rv/1", (), "campaign"),
]


@pytest.mark.parametrize(("url", "hashtags", "expected"), EXTENDED_CASES)
def test_an_operator_file_extends_the_defaults(
    tmp_path: Path, url: str, hashtags: tuple[str, ...], expected: Kind
) -> None:
    rules = load_rules(write_rules(tmp_path, EXTENDING))
    assert classify(url, tag_keys(*hashtags), rules) == expected


def test_extend_true_is_the_default(tmp_path: Path) -> None:
    implicit = load_rules(write_rules(tmp_path, EXTENDING))
    explicit = load_rules(write_rules(tmp_path, "extend = true\n" + EXTENDING))
    assert implicit == explicit
    assert implicit.url_rules[2:] == RULES.url_rules


REPLACING = """
extend = false

[tags]
petition = ["unterschreiben"]

[[url_rules]]
host = "weact.campact.de"
kind = "campaign"
"""

REPLACED_CASES: list[tuple[str, tuple[str, ...], Kind]] = [
    ("https://weact.campact.de/petitions/x", (), "campaign"),
    ("https://www.change.org/p/x", (), "link"),
    (NEWS, ("#Unterschreiben",), "petition"),
    (NEWS, ("#pétition",), "link"),
    (NEWS, ("#campagne",), "link"),
]


@pytest.mark.parametrize(("url", "hashtags", "expected"), REPLACED_CASES)
def test_an_operator_file_replaces_the_defaults(
    tmp_path: Path, url: str, hashtags: tuple[str, ...], expected: Kind
) -> None:
    rules = load_rules(write_rules(tmp_path, REPLACING))
    assert classify(url, tag_keys(*hashtags), rules) == expected


def test_an_empty_replacing_file_recognises_nothing(tmp_path: Path) -> None:
    rules = load_rules(write_rules(tmp_path, "extend = false\n"))
    assert rules == RecognitionRules(frozenset(), frozenset(), ())
    assert classify("https://www.change.org/p/x", ["petition"], rules) == "link"


def test_a_copy_of_the_default_file_replaces_the_defaults_with_themselves(
    tmp_path: Path,
) -> None:
    default_text = files("bot").joinpath("data", "recognition.toml").read_text(encoding="utf-8")
    copy = write_rules(tmp_path, "extend = false\n" + default_text)
    assert load_rules(copy) == RULES


def test_rules_can_be_built_in_code() -> None:
    rules = RecognitionRules(
        petition_tags=frozenset(),
        campaign_tags=frozenset(),
        url_rules=(UrlRule(host="example.org", kind="campaign", path_prefix="/Agir/"),),
    )
    assert classify("https://www.example.org/agir/marche", [], rules) == "campaign"


MALFORMED_CASES: list[tuple[str, str, tuple[str, ...]]] = [
    ("bad TOML", '[tags]\npetition = ["a",\n\n[[url_rules]]\n', ("not valid TOML", "line 4")),
    ("unknown kind", '[[url_rules]]\nhost = "a.org"\nkind = "petiton"\n', ('"a.org"', "petiton")),
    (
        "bad regex",
        '[[url_rules]]\nhost = "a.org"\npath_regex = "(p"\nkind = "petition"\n',
        ("path_regex", "not a valid regular expression"),
    ),
    ("missing host", '[[url_rules]]\nkind = "petition"\n', ("[[url_rules]] #1", 'missing "host"')),
    ("missing kind", '[[url_rules]]\nhost = "a.org"\n', ("#1", 'missing "kind"')),
    (
        "host with scheme",
        '[[url_rules]]\nhost = "https://a.org"\nkind = "link"\n',
        ("host", "without scheme"),
    ),
    ("host with path", '[[url_rules]]\nhost = "a.org/p/"\nkind = "link"\n', ("path_prefix",)),
    ("wildcard host", '[[url_rules]]\nhost = "*.a.org"\nkind = "link"\n', ('write "a.org"',)),
    ("one-label host", '[[url_rules]]\nhost = "localhost"\nkind = "link"\n', ("host name",)),
    ("host not a string", "[[url_rules]]\nhost = 3\nkind = 'link'\n", ("must be a string",)),
    (
        "typo in a key",
        '[[url_rules]]\nhost = "a.org"\npath_prefx = "/p/"\nkind = "link"\n',
        ('"path_prefx"', '"path_prefix"'),
    ),
    (
        "prefix and regex",
        '[[url_rules]]\nhost = "a.org"\npath_prefix = "/p/"\npath_regex = "^/p/"\nkind = "link"\n',
        ("not both",),
    ),
    (
        "relative prefix",
        '[[url_rules]]\nhost = "a.org"\npath_prefix = "p/"\nkind = "link"\n',
        ('start with "/"',),
    ),
    (
        "second rule broken",
        '[[url_rules]]\nhost = "a.org"\nkind = "link"\n'
        '[[url_rules]]\nhost = "b.org"\nkind = "petitions"\n',
        ("[[url_rules]] #2", '"b.org"'),
    ),
    ("url_rules as a table", '[url_rules]\nhost = "a.org"\n', ("[[url_rules]]",)),
    ("extend not a boolean", 'extend = "yes"\n', ("extend", "true or false")),
    ("unknown top-level key", "extends = false\n", ('"extends"', '"extend"')),
    ("tags not a table", 'tags = ["petition"]\n', ("[tags]",)),
    ("unknown tag kind", '[tags]\npetitions = ["a"]\n', ('"petitions"', '"petition"')),
    ("tags not a list", '[tags]\npetition = "signez"\n', ("tags.petition", "list")),
    ("tag not a string", "[tags]\ncampaign = [1]\n", ("tags.campaign", "strings")),
    ("empty tag", '[tags]\npetition = ["#"]\n', ("tags.petition", "not a hashtag")),
    ("tag with a space", '[tags]\npetition = ["signez ici"]\n', ("not a hashtag",)),
    (
        "tag of both kinds",
        '[tags]\npetition = ["Grève"]\ncampaign = ["greve"]\n',
        ('"greve"', "both"),
    ),
]


@pytest.mark.parametrize(
    ("text", "fragments"),
    [pytest.param(text, fragments, id=name) for name, text, fragments in MALFORMED_CASES],
)
def test_a_malformed_file_is_explained(
    tmp_path: Path, text: str, fragments: tuple[str, ...]
) -> None:
    path = write_rules(tmp_path, text)
    with pytest.raises(RulesFileError) as caught:
        load_rules(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: ")
    assert [fragment for fragment in fragments if fragment not in message] == []


def test_the_error_names_the_key(tmp_path: Path) -> None:
    path = write_rules(tmp_path, '[[url_rules]]\nhost = "a.org"\nkind = "petiton"\n')
    with pytest.raises(RulesFileError) as caught:
        load_rules(path)
    assert (caught.value.source, caught.value.key) == (
        str(path),
        '[[url_rules]] #1 (host "a.org") kind',
    )


def test_a_missing_file_is_explained(tmp_path: Path) -> None:
    with pytest.raises(RulesFileError, match=r"absent\.toml: cannot be read"):
        load_rules(tmp_path / "absent.toml")


def test_a_file_that_is_not_utf8_is_explained(tmp_path: Path) -> None:
    path = tmp_path / "latin1.toml"
    path.write_bytes('[tags]\npetition = ["pétition"]\n'.encode("latin-1"))
    with pytest.raises(RulesFileError, match="is not UTF-8 text"):
        load_rules(path)
