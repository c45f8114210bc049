"""How domain objects look in JSON answers, as JSON Schema for the OpenAPI document.

The views in views.py and message_views.py build the answers; these models only describe
them (the answers are not built through pydantic, which would cost every request), and the
integration tests check each answer they get against the schema its route declares.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from chalicelib.domain.lifecycle import Action
from chalicelib.domain.messages import Channel, MessageStatus, MessageType
from chalicelib.domain.model import (
    Actor,
    BookingSource,
    BookingStatus,
    ChannelPreference,
    EntryStatus,
    PaymentStatus,
    WaitingListMode,
)
from chalicelib.domain.offers import OfferStatus
from chalicelib.domain.pipeline import StepKind
from chalicelib.domain.workflows import Recipient, RuleChannel


class View(BaseModel):
    """An answer's shape: every field always present (null when there is nothing), no other."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class ActiveHoursView(View):
    opens: str = Field(description="HH:MM, the business's wall clock")
    closes: str = Field(description="HH:MM")


class BusinessView(View):
    business_id: str
    name: str
    time_zone: str
    language: str
    waiting_list_open: bool
    refill_cutoff_minutes: int
    waiting_list_mode: WaitingListMode
    offer_window_seconds: int
    offer_to_many_count: int
    message_channels: ChannelPreference
    staff_email: str | None
    max_open_entries: int
    max_offers_per_day: int
    active_hours: ActiveHoursView | None
    addresses: dict[str, str]
    embed_origins: list[str]
    reminder_lead_times: list[int]


class PipelineStatusView(View):
    status_id: str
    name: str
    description: str | None
    position: int
    colour: str
    kind: StepKind


class ServiceView(View):
    service_id: str
    name: str
    duration_minutes: int
    requires_confirmation: bool
    uses_status_pipeline: bool
    waiting_list_mode: WaitingListMode | None


class SlotView(View):
    slot_id: str
    service_id: str
    service_name: str
    starts_at: datetime
    ends_at: datetime
    capacity: int
    free_seats: int
    staff: str | None
    location: str | None
    waiting_list_length: int


class StaffSlotView(SlotView):
    held_for_waiting_list: int = Field(description="seats held for the waiting list's refill")


class ContactView(View):
    name: str
    email: str | None
    phone: str | None
    language: str | None


class PipelineStepView(View):
    status_id: str
    name: str | None


class BookingView(View):
    booking_id: str
    slot_id: str
    status: BookingStatus
    source: BookingSource
    customer: ContactView
    service_name: str
    starts_at: datetime
    ends_at: datetime
    created_at: datetime
    cancelled_by: Actor | None
    reason: str | None
    moved_from_slot_id: str | None
    payment_status: PaymentStatus | None
    pipeline_status: PipelineStepView | None
    version: int


class ChangeView(View):
    version: int
    at: datetime
    by: Actor
    from_status: BookingStatus | None = Field(alias="from")
    to: BookingStatus
    reason: str | None
    from_slot_id: str | None
    to_slot_id: str | None
    from_step: str | None
    to_step: str | None


class NextCustomerView(View):
    entry_id: str
    name: str


class ReleasePreviewView(View):
    action: Action
    seat: str = Field(description="what happens to the seat: kept, back_on_sale, to the list")
    next_customer: NextCustomerView | None
    summary: str


class WindowView(View):
    service_id: str
    starts_from: datetime
    ends_by: datetime
    staff: str | None
    location: str | None


class EarlierThanView(View):
    slot_id: str
    booking_id: str


class EntryView(View):
    entry_id: str
    slot_id: str
    status: EntryStatus
    position: int | None = Field(description="among those waiting; null when not waiting")
    customer: ContactView
    service_name: str
    starts_at: datetime
    signed_up_at: datetime
    booking_id: str | None
    window: WindowView | None
    earlier_than: EarlierThanView | None


class SkippedView(View):
    entry_id: str
    reason: str


class DecisionView(View):
    cause: str
    outcome: str
    decided_at: datetime
    booking_id: str | None
    entry_id: str | None
    reason: str | None
    skipped: list[SkippedView]
    offer_rounds: int
    offered_to: list[str]


class HoldView(View):
    slot_id: str
    cause: str
    service_name: str
    starts_at: datetime
    held_at: datetime
    decide_by: datetime
    overdue: bool


class OfferView(View):
    slot_id: str
    status: OfferStatus
    service_name: str
    business_name: str
    starts_at: datetime
    ends_at: datetime
    expires_at: datetime
    customer: ContactView


class MessageView(View):
    message_id: str
    message_type: MessageType
    channel: Channel
    recipient: str
    status: MessageStatus
    queued_at: datetime
    send_after: datetime | None
    sent_at: datetime | None
    attempts: int
    last_error: str | None
    next_attempt_at: datetime | None
    failure: str | None
    fallback_message_id: str | None
    booking_id: str | None


class ScopeView(View):
    services: list[str]
    locations: list[str]
    staff: list[str]


class WorkflowView(View):
    workflow_id: str
    name: str
    default: bool
    trigger: MessageType
    channel: RuleChannel
    recipients: list[Recipient]
    addresses: list[str]
    scope: ScopeView
    enabled: bool
    use_custom_text: bool


class TemplateView(View):
    message_type: MessageType
    channel: Channel
    language: str
    version: int
    subject: str | None
    text: str
    html: str | None
    updated_at: datetime | None


class RenderedView(View):
    subject: str | None
    text: str
    html: str | None
