"""Telegram's URL rules for text that arrived without entities: the links half of the port.

tdlib `td/telegram/MessageEntity.cpp`'s `match_tg_urls`, `match_urls`, `is_email_address`,
`fix_url` and `is_common_tld`, walked over code points as bot/entities.py explains (which
also holds the hashtags, and turns these spans into entities). The top-level domain list is
the Public Suffix List's ICANN section (bundled with the `tld` package) plus Telegram's `.ton`.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from importlib.resources import files

_BAD_PATH_END_CHARS = frozenset(".:;,('?!`")
_NON_PATH_CHARS = frozenset('\n<>"«»')
_NON_USER_DATA_CHARS = frozenset("\n/[]{}()'`<>\"@«»")
_ASCII_DIGITS = frozenset("0123456789")
_ASCII_ALNUM = frozenset("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
ASCII_WORD = _ASCII_ALNUM | {"_"}
_DOMAIN_ASCII = ASCII_WORD | {"-", ".", "~"}
_PROTOCOL_ASCII = _ASCII_ALNUM | {"+", "-"}
_TG_HOST_CHARS = ASCII_WORD | {"-"}
_ASCII_LOWER = str.maketrans({chr(code): chr(code + 32) for code in range(ord("A"), ord("Z") + 1)})
# Not in the Public Suffix List, but Telegram links them (TON DNS): tdlib's list has it.
_TELEGRAM_ONLY_TLDS = frozenset({"ton"})
# The pattern tdlib's is_email_address documents and implements by hand.
_EMAIL = re.compile(
    r"([a-z0-9_-]{0,26}[.+]){0,10}[a-z0-9_-]{1,35}"
    r"@(([a-z0-9][a-z0-9_-]{0,28})?[a-z0-9][.]){1,6}[a-z]{2,8}",
    re.ASCII | re.IGNORECASE,
)


def _is_url_unicode_symbol(char: str) -> bool:
    if "\u2000" <= char <= "\u206f":  # General Punctuation: only joiners and dashes
        return char in "\u200c\u200d" or "\u2010" <= char <= "\u2015"
    return unicodedata.category(char)[0] != "Z"


def _is_url_path_symbol(char: str) -> bool:
    return char not in _NON_PATH_CHARS and _is_url_unicode_symbol(char)


def _is_user_data_symbol(char: str) -> bool:
    return char not in _NON_USER_DATA_CHARS and _is_url_unicode_symbol(char)


def _is_domain_symbol(char: str) -> bool:
    if char < "\u00c0":
        return char in _DOMAIN_ASCII
    return _is_url_unicode_symbol(char)


def _is_protocol_symbol(char: str) -> bool:
    if char < "\u0080":  # no dots: "a.http://" must not become a protocol
        return char in _PROTOCOL_ASCII
    return unicodedata.category(char)[0] != "Z"  # kept, so that the protocol is rejected


def _is_word_character(char: str) -> bool:
    return unicodedata.category(char)[0] in "LN" or char == "_"


def _ascii_lower(text: str) -> str:
    return text.translate(_ASCII_LOWER)


def match_tg_urls(text: str) -> list[tuple[int, int]]:
    result: list[tuple[int, int]] = []
    end = len(text)
    pos = 0
    while end - pos > 5:
        colon = text.find("://", pos)
        if colon < 0:
            break
        scheme_begin = _tg_scheme_begin(text, colon)
        pos = colon + 3
        if scheme_begin < 0:
            pos = colon + 1
            continue
        while pos < end and pos - colon - 3 != 253 and text[pos] in _TG_HOST_CHARS:
            pos += 1
        if pos == colon + 3:
            continue
        pos = _path_end(text, pos)
        result.append((scheme_begin, pos))
    return result


def _tg_scheme_begin(text: str, colon: int) -> int:
    for scheme in ("tg", "ton", "tonsite"):
        # tdlib (2024) starts "tonsite" 3 characters back, giving "ite://": the whole
        # scheme is what its own pattern comment describes.
        if _ascii_lower(text[max(colon - len(scheme), 0) : colon]) == scheme:
            return colon - len(scheme)
    return -1


def _path_end(text: str, pos: int) -> int:
    """After a host (and port): the end of a following /path, ?query or #fragment."""
    if pos >= len(text) or text[pos] not in "/?#":
        return pos
    end = pos + 1
    while end < len(text) and _is_url_path_symbol(text[end]):
        end += 1
    while end > pos + 1 and text[end - 1] in _BAD_PATH_END_CHARS:
        end -= 1
    return end if text[pos] == "/" or end > pos + 1 else pos


def url_spans(text: str) -> list[tuple[str, int, int]]:
    spans: list[tuple[str, int, int]] = []
    for begin, end in _match_urls(text):
        candidate = text[begin:end]
        if _is_email_address(candidate):
            spans.append(("email", begin, end))
        elif candidate.startswith("mailto:") and _is_email_address(candidate[7:]):
            spans.append(("email", begin + 7, end))
        else:
            kept = len(_fix_url(candidate))
            if kept:
                spans.append(("url", begin, begin + kept))
    return spans


def _match_urls(text: str) -> list[tuple[int, int]]:
    result: list[tuple[int, int]] = []
    begin = 0
    while True:
        dot = text.find(".", begin)
        if dot < 0 or dot + 1 == len(text):
            return result
        if text[dot + 1] == " ":  # tdlib's fast path: "end. Next" is no domain
            begin = dot + 2
            continue
        url_begin, url_end, is_bad = _url_around(text, begin, dot)
        if not is_bad:
            if url_end > dot + 1:
                result.append((url_begin, url_end))
            while url_end < len(text) and text[url_end] == ".":
                url_end += 1
        else:
            while text[url_end - 1] != ".":
                url_end -= 1
        begin = max(url_end, dot + 1)


def _url_around(text: str, begin: int, dot: int) -> tuple[int, int, bool]:
    """The URL candidate around a dot, searching no further back than `begin`."""
    domain_begin = dot
    while domain_begin > begin and _is_domain_symbol(text[domain_begin - 1]):
        domain_begin -= 1
    domain_end, last_at = dot, -1
    while domain_end < len(text):
        if text[domain_end] == "@":
            last_at = domain_end
        elif not _is_domain_symbol(text[domain_end]):
            break
        domain_end += 1
    if last_at >= 0:
        while domain_begin > begin and _is_user_data_symbol(text[domain_begin - 1]):
            domain_begin -= 1
    url_end = _path_end(text, _port_end(text, domain_end))
    while url_end > dot + 1 and text[url_end - 1] == ".":
        url_end -= 1
    url_begin, is_bad = domain_begin, False
    if url_begin != begin and text[url_begin - 1] == "@":
        user_begin = url_begin - 1
        while user_begin > begin and _is_user_data_symbol(text[user_begin - 1]):
            user_begin -= 1
        is_bad = last_at >= 0 or user_begin == url_begin - 1
        url_begin = user_begin
    if url_begin != begin:
        url_begin, prefix_is_bad = _apply_prefix(text, begin, url_begin)
        is_bad = is_bad or prefix_is_bad
    return url_begin, url_end, is_bad


def _port_end(text: str, pos: int) -> int:
    if pos >= len(text) or text[pos] != ":":
        return pos
    digits_end = pos + 1
    while digits_end < len(text) and text[digits_end] in _ASCII_DIGITS:
        digits_end += 1
    significant = text[pos + 1 : digits_end].lstrip("0")
    if significant and len(significant) <= 5 and int(significant) <= 65535:
        return digits_end
    return pos


def _apply_prefix(text: str, begin: int, url_begin: int) -> tuple[int, bool]:
    """Extend the URL over an accepted scheme, or judge the character before it."""
    # tdlib requires 6 prefix bytes; fewer than 6 characters can never hold a scheme it
    # accepts and fall to the '/' check below, so counting characters gives the same answer.
    if url_begin - begin >= 6 and text.endswith("://", begin, url_begin):
        protocol_begin = url_begin - 3
        while protocol_begin > begin and _is_protocol_symbol(text[protocol_begin - 1]):
            protocol_begin -= 1
        protocol = _ascii_lower(text[protocol_begin : url_begin - 3])
        if protocol.endswith("http") and protocol != "shttp":
            return url_begin - 7, False
        if protocol.endswith("https"):
            return url_begin - 8, False
        if protocol.endswith("ftp") and protocol not in ("tftp", "sftp"):
            return url_begin - 6, False
        if protocol.endswith("tonsite"):
            return url_begin - 10, False
        return url_begin, True
    before = text[url_begin - 1]
    return url_begin, _is_word_character(before) or before in "/#@"


def _is_email_address(text: str) -> bool:
    return _EMAIL.fullmatch(text) is not None


def _fix_url(url: str) -> str:
    """The accepted part of a URL candidate, or "" when tdlib would drop it."""
    rest, has_protocol = url, False
    if _ascii_lower(url[:10]).startswith(("http://", "https://", "ftp://", "tonsite://")):
        rest, has_protocol = url[url.find(":") + 3 :], True
    domain_end = min((i for i in map(rest.find, "/?#") if i >= 0), default=len(rest))
    domain, path = rest[:domain_end], rest[domain_end:]
    domain = domain[domain.find("@") + 1 :]
    if ":" in domain:
        domain = domain[: domain.rfind(":")]
    if _ascii_lower(domain) == "teiegram.org":  # a phishing look-alike tdlib refuses
        return ""
    kept_path = _balanced_path_length(path)
    if not _is_valid_domain(domain, has_protocol):
        return ""
    return url[: len(url) - len(path) + kept_path]


def _balanced_path_length(path: str) -> int:
    depth = {"(": 0, "[": 0, "{": 0}
    closing = {")": "(", "]": "[", "}": "{"}
    length = 0
    for char in path:
        if char in depth:
            depth[char] += 1
        elif char in closing:
            depth[closing[char]] -= 1
            if depth[closing[char]] < 0:
                break
        length += 1
    while length > 0 and path[length - 1] in _BAD_PATH_END_CHARS:
        length -= 1
    return length


def _is_valid_domain(domain: str, has_protocol: bool) -> bool:
    labels = domain.split(".")
    # tdlib's label limit is in UTF-8 bytes; a trailing '-' is refused, '_' is checked below.
    if any(not label or len(label.encode("utf-8", "surrogatepass")) >= 64 for label in labels):
        return False
    if any(label.endswith("-") for label in labels) or len(labels) == 1:
        return False
    if len(labels) == 4 and all(_is_ipv4_byte(label) for label in labels):
        return True
    if all(c in _ASCII_DIGITS for label in labels for c in label):
        return False
    tld = labels[-1]
    if len(tld) <= 1:
        return False
    if tld.startswith("xn--"):
        if len(tld) <= 5 or not all(c in _ASCII_ALNUM for c in tld[4:]):
            return False
    elif "_" in tld or "-" in tld or not (has_protocol or _is_common_tld(tld)):
        return False
    return "_" not in labels[-2]  # the registered name: "test_.google.com" is fine


def _is_ipv4_byte(label: str) -> bool:
    if not label or len(label) > 3 or not all(c in _ASCII_DIGITS for c in label):
        return False
    return not (label[0] == "0" and len(label) > 1) and int(label) <= 255


def _is_common_tld(tld: str) -> bool:
    lower = tld.lower()
    # tdlib refuses a capital only at the start ("telegram.Org"), accepts "ORG" and "МоСкВа".
    if lower != tld and lower[1:] == tld[1:]:
        return False
    return lower in _known_tlds()


@cache
def _known_tlds() -> frozenset[str]:
    """Top-level labels of the Public Suffix List's ICANN section, as the `tld` package ships it.

    tdlib embeds its own copy of the IANA list; the PSL is the same list kept up to date
    (it adds newer TLDs and drops retired ones such as .bentley).
    """
    source = files("tld") / "res" / "effective_tld_names.dat.txt"
    icann = source.read_text(encoding="utf-8").split("===END ICANN DOMAINS===", 1)[0]
    labels = {
        line.split()[0].rsplit(".", 1)[-1]
        for line in icann.splitlines()
        if line.strip() and not line.startswith("//")
    }
    return frozenset(labels) | _TELEGRAM_ONLY_TLDS
