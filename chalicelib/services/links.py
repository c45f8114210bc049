"""Customers' signed links: manage a booking, see or leave a place on a waiting list."""

from __future__ import annotations

from chalicelib.adapters.tokens import InvalidToken, LinkClaims, LinkSigner
from chalicelib.domain.errors import NotFound

BOOKING = "booking"
WAITING_ENTRY = "waiting_entry"
OFFER = "offer"


class Links:
    def __init__(self, signer: LinkSigner, public_base_url: str) -> None:
        self._signer = signer
        self._base = public_base_url

    def booking_token(self, business_id: str, slot_id: str, booking_id: str) -> str:
        return self._signer.sign(LinkClaims(BOOKING, business_id, slot_id, booking_id))

    def booking_url(self, token: str) -> str:
        return f"{self._base}/bookings/{token}"

    def entry_token(self, business_id: str, slot_id: str, entry_id: str) -> str:
        return self._signer.sign(LinkClaims(WAITING_ENTRY, business_id, slot_id, entry_id))

    def entry_url(self, token: str) -> str:
        return f"{self._base}/waiting-list/{token}"

    def offer_token(self, business_id: str, slot_id: str, offer_id: str) -> str:
        return self._signer.sign(LinkClaims(OFFER, business_id, slot_id, offer_id))

    def offer_urls(self, token: str) -> dict[str, str]:
        return {
            "offer_url": f"{self._base}/offers/{token}",
            "accept_url": f"{self._base}/offers/{token}/accept",
            "decline_url": f"{self._base}/offers/{token}/decline",
        }

    def read(self, token: str, kind: str) -> LinkClaims:
        """A link that does not verify is answered like one that leads nowhere."""
        try:
            return self._signer.read(token, kind)
        except InvalidToken as error:
            raise NotFound("this link is not valid") from error
