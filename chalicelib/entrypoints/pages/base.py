"""What every page shares: rendering with its security headers, redirects, notices, the
form checks, and refusals answered with a readable page."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from chalicelib.adapters.observability import logger
from chalicelib.bootstrap import Services
from chalicelib.domain.errors import DomainError, NotFound
from chalicelib.entrypoints.pages.forms import (
    CSRF_FIELD,
    Page,
    PageRequest,
    Refused,
    csrf_token,
    first_language,
    is_cross_site,
    page_headers,
)
from chalicelib.entrypoints.pages.rendering import PageRenderer, page_language
from chalicelib.ports.runtime import Clock
from chalicelib.settings import Settings


class BasePage:
    def __init__(
        self, app_services: Services, renderer: PageRenderer, clock: Clock, settings: Settings
    ) -> None:
        self._services = app_services
        self._renderer = renderer
        self._clock = clock
        self._settings = settings
        self._root = urlsplit(settings.public_base_url).path.rstrip("/")
        self._secure = settings.public_base_url.startswith("https://")

    # --- plumbing --------------------------------------------------------------------------

    def _key(self) -> str:
        return self._settings.require_link_signing_key()

    def _csrf(self, bound_to: str) -> str:
        return csrf_token(self._key(), bound_to)

    def _check_form(self, request: PageRequest, bound_to: str | None) -> None:
        if is_cross_site(request.headers, self._settings.public_base_url):
            raise Refused(
                f"cross-site request (Origin {request.headers.get('origin')!r}, "
                f"Sec-Fetch-Site {request.headers.get('sec-fetch-site')!r})"
            )
        if bound_to is not None:
            given = request.form.get(CSRF_FIELD, "")
            if not hmac.compare_digest(given, self._csrf(bound_to)):
                raise Refused("missing or wrong CSRF token")

    def _page(
        self,
        template: str,
        *,
        language: str,
        time_zone: str,
        status: int = 200,
        headers: dict[str, str] | None = None,
        frame_ancestors: tuple[str, ...] = (),
        **values: Any,
    ) -> Page:
        nonce = secrets.token_urlsafe(16)
        body = self._renderer.render(
            template,
            language=language,
            time_zone=time_zone,
            root=self._root,
            nonce=nonce,
            **values,
        )
        return Page(status, body, {**page_headers(nonce, frame_ancestors), **(headers or {})})

    def _redirect(self, path: str, headers: dict[str, str] | None = None) -> Page:
        return Page(
            303,
            "",
            {"Location": f"{self._root}{path}", "Cache-Control": "no-store", **(headers or {})},
        )

    def _notice(
        self, kind: str, *, status: int, language: str = "en", time_zone: str = "UTC"
    ) -> Page:
        return self._page(
            "notice", language=language, time_zone=time_zone, status=status, kind=kind
        )

    def guarded(self, view: Callable[[], Page], request: PageRequest) -> Page:
        """Answer a link that leads nowhere, or a forged form, with a readable page (in the
        browser's language: whose link it was is unknown)."""
        language = page_language(first_language(request.headers.get("accept-language")))
        try:
            return view()
        except Refused as refusal:
            logger.info("page form refused", extra={"reason": str(refusal)})
            return self._notice("forbidden", status=403, language=language)
        except NotFound:
            return self._notice("not_found", status=404, language=language)
        except DomainError as refusal:
            # Pages map the refusals they expect; anything else (a write that kept
            # colliding, a business half set up) gets an honest "try again".
            logger.info("page request refused", extra={"reason": str(refusal)})
            return self._notice("conflict", status=409, language=language)


@lru_cache(maxsize=1)
def renderer() -> PageRenderer:
    return PageRenderer()
