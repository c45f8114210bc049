"""Customers' signed links: manage a booking, see or leave a place on a waiting list, answer
an offer. They open pages (short paths keep texts short); the JSON API under /bookings,
/waiting-list and /offers takes the same tokens."""

from __future__ import annotations

from chalicelib.adapters.tokens import InvalidToken, LinkClaims, LinkSigner

__all__ = ["LinkClaims", "Links"]
from chalicelib.domain.errors import NotFound
from chalicelib.domain.model import WaitingEntry

BOOKING = "booking"
WAITING_ENTRY = "waiting_entry"
WINDOW_ENTRY = "window_entry"
"""A place on a service's list (a window or an earlier-slot request): the link names the
service where other entry links name the slot."""
OFFER = "offer"


class Links:
    def __init__(self, signer: LinkSigner, public_base_url: str) -> None:
        self._signer = signer
        self._base = public_base_url

    def booking_token(self, business_id: str, slot_id: str, booking_id: str) -> str:
        return self._signer.sign(LinkClaims(BOOKING, business_id, slot_id, booking_id))

    def booking_url(self, token: str) -> str:
        return f"{self._base}/b/{token}"

    def entry_token(self, business_id: str, slot_id: str, entry_id: str) -> str:
        return self._signer.sign(LinkClaims(WAITING_ENTRY, business_id, slot_id, entry_id))

    def window_entry_token(self, business_id: str, service_id: str, entry_id: str) -> str:
        return self._signer.sign(LinkClaims(WINDOW_ENTRY, business_id, service_id, entry_id))

    def token_for_entry(self, entry: WaitingEntry) -> str:
        if entry.window is not None:
            return self.window_entry_token(
                entry.business_id, entry.window.service_id, entry.entry_id
            )
        return self.entry_token(entry.business_id, entry.slot_id, entry.entry_id)

    def entry_url(self, token: str) -> str:
        return f"{self._base}/w/{token}"

    def offer_token(self, business_id: str, slot_id: str, offer_id: str) -> str:
        return self._signer.sign(LinkClaims(OFFER, business_id, slot_id, offer_id))

    def offer_urls(self, token: str) -> dict[str, str]:
        # A link in a message is opened with GET (and mail scanners open it too): both
        # lead to the offer page, whose buttons answer with a POST.
        page = f"{self._base}/o/{token}"
        return {
            "offer_url": page,
            "accept_url": f"{page}?do=accept",
            "decline_url": f"{page}?do=decline",
        }

    def read(self, token: str, kind: str) -> LinkClaims:
        """A link that does not verify is answered like one that leads nowhere."""
        try:
            return self._signer.read(token, kind)
        except InvalidToken as error:
            raise NotFound("this link is not valid") from error

    def read_entry(self, token: str) -> LinkClaims:
        """A place on a slot's list or on a service's list."""
        try:
            return self._signer.read(token, WAITING_ENTRY)
        except InvalidToken:
            return self.read(token, WINDOW_ENTRY)
