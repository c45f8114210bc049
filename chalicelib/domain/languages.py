"""The languages Standby writes in: every message and page exists in each of them, so a
language is accepted only when it is one of these, and whatever was stored before this
rule is read as the closest one that can be written."""

from __future__ import annotations

import re

from chalicelib.domain.errors import InvalidRequest

LANGUAGES = ("en", "fr", "de", "da", "nb")
FALLBACK_LANGUAGE = "en"
SAME_AS = {"no": "nb", "nn": "nb"}
"""Norwegian, and Nynorsk, whose readers read Bokmål: the Norwegian Standby writes."""
MAX_TAG_LENGTH = 35
"""The longest tag BCP 47 asks software to handle."""
# A language tag as BCP 47 writes it: a primary language, then subtags (region, script,
# variant) of letters and digits, all separated by hyphens.
TAG = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*")


def supported_language(tag: str) -> str | None:
    """The language Standby writes for `tag` ("en-GB" → "en", "no" → "nb"), or None when
    the tag is malformed or its language is not one of LANGUAGES."""
    if len(tag) > MAX_TAG_LENGTH or not TAG.fullmatch(tag):
        return None
    primary = tag.split("-", 1)[0].lower()
    primary = SAME_AS.get(primary, primary)
    return primary if primary in LANGUAGES else None


def language_of(tag: str, field: str = "language") -> str:
    """`tag` as the two-letter code it is stored as; refused by name when Standby cannot
    write it."""
    language = supported_language(tag)
    if language is None:
        raise InvalidRequest(field, unsupported(tag))
    return language


def unsupported(tag: str) -> str:
    return (
        f"{tag[:MAX_TAG_LENGTH]!r} is not a language Standby writes; use one of "
        f"{', '.join(LANGUAGES)} (a regional tag such as en-GB is read as its language)"
    )


def served_language(*wanted: str | None) -> str:
    """The first of `wanted` Standby can write, else English: how a stored language is
    read, so that no message or page ever fails for its language."""
    for tag in wanted:
        language = supported_language(tag) if tag else None
        if language is not None:
            return language
    return FALLBACK_LANGUAGE
