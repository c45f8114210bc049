"""What a change in the bookings table means for the refill."""

from __future__ import annotations

from typing import Any, Protocol

from chalicelib.adapters.dynamodb.stream_images import (
    booking_from_stream_image,
    offer_from_stream_image,
    seat_release_from_stream_image,
)
from chalicelib.domain.model import Booking
from chalicelib.domain.offers import Offer, OfferStatus
from chalicelib.domain.seats import SeatRelease

Image = dict[str, Any] | None


class HeldSeatsRefill(Protocol):
    def on_booking_change(self, old: Booking | None, new: Booking | None) -> object: ...

    def on_seat_release(self, release: SeatRelease) -> object: ...


class AcceptedOffers(Protocol):
    def tell_the_others(self, accepted: Offer) -> object: ...


def accepted_offer(old: Image, new: Image) -> Offer | None:
    """The offer this change accepted, if it is one."""
    before, after = offer_from_stream_image(old), offer_from_stream_image(new)
    if after is None or after.status is not OfferStatus.ACCEPTED:
        return None
    if before is not None and before.status is OfferStatus.ACCEPTED:
        return None
    return after


def on_bookings_change(
    refill: HeldSeatsRefill, offers: AcceptedOffers, old: Image, new: Image
) -> None:
    """An accepted offer closes the rest of its round; any other change may start a
    refill."""
    accepted = accepted_offer(old, new)
    if accepted is not None:
        offers.tell_the_others(accepted)
        return
    refill_from_images(refill, old, new)


def refill_from_images(refill: HeldSeatsRefill, old: Image, new: Image) -> None:
    """A new seat release starts the refill of the seats it held; a booking that gave up
    its seat for the list starts the refill of that seat; anything else is no one's
    business here."""
    release = seat_release_from_stream_image(new) if old is None else None
    if release is not None:
        refill.on_seat_release(release)
        return
    refill.on_booking_change(booking_from_stream_image(old), booking_from_stream_image(new))
