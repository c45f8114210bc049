"""HTML pages rendered from jinja2 templates in `templates/pages/`, worded from a string
catalogue per language (`templates/pages/i18n/<language>.json`) and dated by Babel in the
reader's language and the business's time zone.

One template serves every language; a language without its own catalogue, or a string
missing from one, falls back to English.
"""

from __future__ import annotations

import json
from datetime import date as calendar_day
from datetime import datetime, time, timedelta
from functools import cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chalicelib.adapters.templates import TEMPLATES_DIR
from chalicelib.domain.languages import FALLBACK_LANGUAGE, LANGUAGES, served_language
from chalicelib.domain.time_rules import in_zone

if TYPE_CHECKING:
    import jinja2

PAGE_LANGUAGES = LANGUAGES
"""The languages of the message templates; pages speak the same ones."""


def page_language(wanted: str | None) -> str:
    """The supported language closest to `wanted` ("nb-NO" reads as "nb", "no" as "nb")."""
    # Browsers and old data sometimes write "de_AT" for the tag "de-AT".
    return served_language((wanted or "").replace("_", "-"))


class PageRenderer:
    def __init__(self, templates_dir: Path = TEMPLATES_DIR) -> None:
        self._dir = templates_dir

    @cached_property
    def _env(self) -> jinja2.Environment:
        # jinja2 is imported on the first page, not with app.py, which every function imports.
        import jinja2

        return jinja2.Environment(
            loader=jinja2.FileSystemLoader(self._dir),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )

    def strings(self, language: str) -> dict[str, str]:
        return _catalogue(self._dir, page_language(language))

    def render(self, name: str, *, language: str, time_zone: str, **values: Any) -> str:
        language = page_language(language)
        words = self.strings(language)
        dates = _Dates(language, time_zone)

        def t(key: str, **fields: Any) -> str:
            return words[key].format(**fields) if fields else words[key]

        template = self._env.get_template(f"pages/{name}.html.j2")
        return template.render(
            t=t,
            lang=language,
            date=dates.date,
            time=dates.time,
            when=dates.when,
            calendar=dates.day,
            until=dates.until,
            **values,
        )


class _Dates:
    def __init__(self, language: str, time_zone: str) -> None:
        self._locale = language
        self._zone = time_zone

    def date(self, moment: datetime, style: str = "full") -> str:
        from babel.dates import format_date

        return str(format_date(in_zone(moment, self._zone), format=style, locale=self._locale))

    def time(self, moment: datetime) -> str:
        from babel.dates import format_time

        return str(format_time(in_zone(moment, self._zone), format="short", locale=self._locale))

    def day(self, day: calendar_day, skeleton: str = "MMMMd") -> str:
        """A calendar day (no time, so no time zone), by a CLDR skeleton: the parts wanted,
        in the order and words of the reader's language ("MMMMd": January 14, 14 janvier);
        "EEEE" is the weekday alone, capitalised as a heading starts; "long" the day with
        its year (December 20, 2026)."""
        from babel.dates import format_date, format_skeleton

        if skeleton == "long":
            return str(format_date(day, format="long", locale=self._locale))
        if skeleton == "EEEE":
            name = str(format_date(day, format="EEEE", locale=self._locale))
            return name[:1].upper() + name[1:]
        noon = datetime.combine(day, time(12))
        return str(format_skeleton(skeleton, noon, locale=self._locale))

    def until(self, moment: datetime) -> str:
        """The last day of a span that ends at `moment` (a window ending at midnight ends
        with the day before)."""
        return self.date(moment - timedelta(microseconds=1))

    def when(self, moment: datetime) -> str:
        return f"{self.date(moment)}, {self.time(moment)}"


@lru_cache(maxsize=16)
def _catalogue(templates_dir: Path, language: str) -> dict[str, str]:
    folder = templates_dir / "pages" / "i18n"
    english: dict[str, str] = json.loads((folder / f"{FALLBACK_LANGUAGE}.json").read_text("utf-8"))
    if language == FALLBACK_LANGUAGE:
        return english
    own: dict[str, str] = json.loads((folder / f"{language}.json").read_text("utf-8"))
    return {**english, **own}
