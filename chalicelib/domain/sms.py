"""How long a text is in SMS segments, and keeping it within a bound.

A text written only in the GSM 7-bit alphabet holds 160 characters in one segment, 153 in
each of several; one character outside it makes the whole text UCS-2: 70, then 67 a
segment. Typographic spaces, quotes and dashes that carry no meaning a plain one would not
are traded for plain ones, so a text does not pay for UCS-2 only because of them."""

from __future__ import annotations

import math

GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENSION = frozenset("^{}\\[~]|€\f")
"""Characters the GSM alphabet writes with an escape: two septets each."""

MAX_SEGMENTS = 3
"""Most texts fit one or two; a long free text (a rejection's reason) is cut to fit three."""

PLAIN_TYPOGRAPHY = str.maketrans(
    {
        "\u202f": " ",  # narrow no-break space (Babel's, in English times)
        "\u00a0": " ",  # no-break space
        "\u2009": " ",  # thin space
        "\u2007": " ",  # figure space
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2010": "-",
        "\u2011": "-",
        "\u2026": "...",
    }
)
ELLIPSIS = "..."


def plain_typography(text: str) -> str:
    return text.translate(PLAIN_TYPOGRAPHY)


def is_gsm(text: str) -> bool:
    return all(char in GSM_BASIC or char in GSM_EXTENSION for char in text)


def segments(text: str) -> int:
    """How many SMS segments `text` takes."""
    if is_gsm(text):
        septets = len(text) + sum(1 for char in text if char in GSM_EXTENSION)
        return 1 if septets <= 160 else math.ceil(septets / 153)
    units = len(text.encode("utf-16-le")) // 2
    return 1 if units <= 70 else math.ceil(units / 67)


def shortened(value: str, length: int) -> str:
    """`value` cut to `length` characters, saying it was cut; empty at 0."""
    if length >= len(value):
        return value
    if length <= len(ELLIPSIS):
        return ""
    return value[: length - len(ELLIPSIS)].rstrip() + ELLIPSIS
