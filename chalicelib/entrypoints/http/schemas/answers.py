"""The JSON answers of the API's routes, each named in its route's ``@documented``."""

from __future__ import annotations

from pydantic import Field

from chalicelib.entrypoints.http.schemas.responses import (
    BookingView,
    ChangeView,
    DecisionView,
    EntryView,
    HoldView,
    MessageView,
    OfferView,
    PipelineStatusView,
    RenderedView,
    ServiceView,
    SlotView,
    StaffSlotView,
    TemplateView,
    View,
    WorkflowView,
)

# --- catalogue -------------------------------------------------------------------------------


class ServicesAnswer(View):
    services: list[ServiceView]


class StatusesAnswer(View):
    statuses: list[PipelineStatusView]


class SlotsAnswer(View):
    slots: list[SlotView]
    next: str | None = Field(
        description="Pass it as `after` for the next page of the range; null on the last"
    )


class StaffSlotsAnswer(View):
    slots: list[StaffSlotView]


class StaffSlotsPage(View):
    slots: list[StaffSlotView]
    next: str | None = Field(
        description="Pass it as `after` for the next page of the range; null on the last"
    )


class StaffSlotAnswer(View):
    slot: StaffSlotView


# --- messages --------------------------------------------------------------------------------


class WorkflowsAnswer(View):
    workflows: list[WorkflowView]


class WorkflowAnswer(View):
    workflow: WorkflowView


class WorkflowRemovedAnswer(View):
    removed: str = Field(description="the id of the rule removed")
    restored: WorkflowView | None = Field(description="a default rule, as it is again")


class TemplatesAnswer(View):
    templates: list[TemplateView]
    variables: dict[str, list[str]] = Field(description="what a text of each type may use")


class TemplateAnswer(View):
    template: TemplateView


class TextResetAnswer(View):
    reset: str = Field(description="type/channel/language of the text gone back to standard")


class PreviewAnswer(View):
    preview: RenderedView


class MessagesAnswer(View):
    messages: list[MessageView]
    next: str | None = Field(description="pass as ?before= for the next page; null at the end")


# --- bookings and waiting lists --------------------------------------------------------------


class BookingAnswer(View):
    booking: BookingView


class BookingsAnswer(View):
    bookings: list[BookingView]


class BookedAnswer(View):
    booking: BookingView
    manage_token: str
    manage_url: str = Field(description="the page to see, move or cancel the booking")


class AlreadyBookedAnswer(View):
    booking: BookingView
    already_booked: bool
    message: str


class HistoryAnswer(View):
    history: list[ChangeView]


class EntryAnswer(View):
    entry: EntryView


class EntriesAnswer(View):
    entries: list[EntryView]


class JoinedAnswer(View):
    entry: EntryView
    position: int | None
    token: str
    leave_url: str = Field(description="the page to see the place or leave the list")


class AlreadyWaitingAnswer(View):
    entry: EntryView
    position: int | None
    already_waiting: bool
    message: str


class AllocationsAnswer(View):
    allocations: list[DecisionView]


class OfferAnswer(View):
    offer: OfferView


class OffersAnswer(View):
    offers: list[OfferView]


class StuckAnswer(View):
    holds: list[HoldView]
    failed_messages: list[MessageView]


class HoldReleasedAnswer(View):
    outcome: str
    booking_id: str | None
