"""Tracking parameters: which query parameters of a URL only track, everywhere or on a site.

The rules come from ``bot/data/tracking_params.json``, built from public maintained lists (its
format is described in the file): names and prefixes that track on every site, and others that
track on some hosts only (``si`` on ``youtu.be``, ``recruiter`` on ``change.org``). URL
normalisation (bot/urls.py) drops every parameter they match.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib.resources import files
from typing import Any
from urllib.parse import unquote


def is_tracking_param(name: str, host: str = "") -> bool:
    """Whether a query parameter called ``name`` only tracks (on ``host``, if given).

    Without a host only the rules that hold everywhere apply; ``host`` (ASCII, lower case) adds
    the rules of that site, e.g. ``si`` on ``youtu.be`` or ``recruiter`` on ``change.org``.
    """
    key = param_key(name)
    return any(params.matches(key) for params in tracking_for_host(host.lower()))


@dataclass(frozen=True)
class ParamSet:
    """Parameter names (whole) and prefixes, lower case."""

    names: frozenset[str]
    prefixes: tuple[str, ...]

    def matches(self, key: str) -> bool:
        return key in self.names or key.startswith(self.prefixes)


@dataclass(frozen=True)
class HostRule:
    """Parameters that track on some hosts only (and their subdomains)."""

    hosts: tuple[str, ...]
    params: ParamSet

    def applies_to(self, host: str) -> bool:
        return any(_host_matches(host, pattern) for pattern in self.hosts)


@dataclass(frozen=True)
class TrackingRules:
    everywhere: ParamSet
    by_host: tuple[HostRule, ...]

    def for_host(self, host: str) -> tuple[ParamSet, ...]:
        scoped = tuple(rule.params for rule in self.by_host if host and rule.applies_to(host))
        return (self.everywhere, *scoped)


@lru_cache(maxsize=4096)
def tracking_for_host(host: str) -> tuple[ParamSet, ...]:
    # Links come from a few hundred sites; matching each host once keeps capture fast.
    return _rules().for_host(host)


@cache
def _rules() -> TrackingRules:
    text = files("bot").joinpath("data/tracking_params.json").read_text(encoding="utf-8")
    return _parse_tracking_rules(json.loads(text))


def _parse_tracking_rules(data: dict[str, Any]) -> TrackingRules:
    """Build the rules from the data set's JSON (its format is described in the file)."""
    names: set[str] = set()
    prefixes: set[str] = set()
    for group in data["global"]:
        names.update(name.lower() for name in group["names"])
        prefixes.update(prefix.lower() for prefix in group["prefixes"])
    by_host = tuple(
        HostRule(
            hosts=tuple(host.lower() for host in group["hosts"]),
            params=ParamSet(
                frozenset(name.lower() for name in group["names"]),
                tuple(sorted(prefix.lower() for prefix in group["prefixes"])),
            ),
        )
        for group in data["hosts"]
    )
    return TrackingRules(ParamSet(frozenset(names), tuple(sorted(prefixes))), by_host)


def param_key(name: str) -> str:
    key = unquote(name).lower()
    # "??utm_source=" (a doubled "?") and "&amp;utm_source=" (copied from HTML) still track.
    key = key.lstrip("?")
    return key.removeprefix("amp;")


def _host_matches(host: str, pattern: str) -> bool:
    """``pattern`` matches itself and its subdomains; ``name.*`` stands for any public suffix."""
    if not pattern.endswith(".*"):
        return host == pattern or host.endswith("." + pattern)
    base = pattern[:-2]
    labels = host.split(".")
    for suffix_length in (1, 2):
        if len(labels) <= suffix_length:
            break
        # Only a short second level (co.uk, com.au) counts as a two-label public suffix: this
        # keeps amazon.evil.com out of amazon.*.
        if suffix_length == 2 and len(labels[-2]) > 3:
            break
        head = ".".join(labels[:-suffix_length])
        if head == base or head.endswith("." + base):
            return True
    return False
