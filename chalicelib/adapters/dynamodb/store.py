"""DynamoDB behind one small adapter. Every seat change is a conditional transaction."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import cached_property
from typing import Any

from pynamodb.connection import Connection
from pynamodb.exceptions import DoesNotExist, PutError, TransactWriteError, UpdateError
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from chalicelib.adapters.dynamodb import keys, mapping
from chalicelib.adapters.dynamodb.keys import business_key, service_partition, slot_partition
from chalicelib.adapters.dynamodb.models import (
    BookingItem,
    BookingsItem,
    BusinessItem,
    CatalogueItem,
    CustomerItem,
    HistoryItem,
    ListMemberItem,
    OfferItem,
    OutboxMessageItem,
    PipelineStatusItem,
    RefillItem,
    ServiceItem,
    SkippedMap,
    SlotItem,
    WaitingEntryItem,
    WindowCountItem,
    profile_at,
)
from chalicelib.domain.allocation import queue_position, sign_up_order
from chalicelib.domain.errors import NotActive
from chalicelib.domain.lifecycle import Change, Move
from chalicelib.domain.messages import MessageStatus, OutboxMessage
from chalicelib.domain.model import (
    Actor,
    Booking,
    BookingSource,
    BookingStatus,
    Business,
    Contact,
    EntryStatus,
    RefillDecision,
    SeatAfterRelease,
    Service,
    SkippedEntry,
    Slot,
    SlotSummary,
    WaitingEntry,
    customer_key,
    list_key,
)
from chalicelib.domain.offers import Offer, OfferStatus, cause_of
from chalicelib.domain.pipeline import PipelineStatus
from chalicelib.domain.refusals import (
    AlreadyDecided,
    AlreadyOnList,
    BookingChanged,
    DailyOfferLimit,
    EntryNoLongerWaiting,
    OpenListLimit,
    Refused,
    SeatChanged,
    WriteRejected,
)
from chalicelib.domain.refusals import RetryableConflict as RetryableConflict
from chalicelib.domain.seats import FreedSeat, Hold, SeatRelease, hold_for, holds_of
from chalicelib.ports.outbox import MessagePage as MessagePage
from chalicelib.settings import Settings

MAX_ITEMS_PER_TRANSACTION = 100
# How many of each a request may add: each batch is one transaction, all or none, so it
# must fit DynamoDB's item limit with whatever rides along.
SERVICES_PER_WRITE = MAX_ITEMS_PER_TRANSACTION
SLOTS_PER_WRITE = MAX_ITEMS_PER_TRANSACTION
STATUSES_PER_WRITE = MAX_ITEMS_PER_TRANSACTION - 1
"""The business's note of where the pipeline starts is written with the statuses."""


def offers_that_fit(messages_per_offer: Sequence[int]) -> int:
    """How many of a round's offers, in order, fit its one transaction: the seat's record,
    then for each offer its daily count, the offer, its entry and its messages."""
    items, fitting = 1, 0
    for messages in messages_per_offer:
        items += 3 + messages
        if items > MAX_ITEMS_PER_TRANSACTION:
            break
        fitting += 1
    return fitting


Refusals = Mapping[str, type[Refused]]
"""What the failure of each labelled condition of a transaction means, in the order they
are told: the first failed label found here names the refusal."""

REFILL_REFUSALS: Refusals = {
    "refill": AlreadyDecided,
    "booking": AlreadyDecided,
    "message": AlreadyDecided,
    "history": AlreadyDecided,
    "entry": EntryNoLongerWaiting,
    "moving": BookingChanged,
    "arrived": BookingChanged,
    "later": BookingChanged,
    "slot": SeatChanged,
}
ACCEPT_REFUSALS: Refusals = {
    "offer": AlreadyDecided,
    "refill": AlreadyDecided,
    "slot": SeatChanged,
    "entry": EntryNoLongerWaiting,
    "moving": BookingChanged,
    "arrived": BookingChanged,
    "later": BookingChanged,
}
CLOSE_REFUSALS: Refusals = {
    "refill": AlreadyDecided,
    "closed": AlreadyDecided,
    "returned": EntryNoLongerWaiting,
}
JOIN_REFUSALS: Refusals = {
    "member": AlreadyOnList,
    "slot": SeatChanged,
    "limit": OpenListLimit,
    "entry": AlreadyOnList,
}
SEAT_REFUSALS: Refusals = {
    "slot": SeatChanged,
    "target": SeatChanged,
    "entry": EntryNoLongerWaiting,
    "booking": BookingChanged,
}


class TransactionCancelled(Exception):
    def __init__(self, failed: set[str]) -> None:
        super().__init__(f"transaction cancelled by: {', '.join(sorted(failed)) or 'conflict'}")
        self.failed = failed


@dataclass
class _Transaction:
    """pynamodb's TransactWrite, with a label per operation so a cancellation says which
    condition failed (pynamodb sends condition checks, deletes, puts, then updates)."""

    connection: Connection
    refusals: Refusals = field(default_factory=dict)
    _deletes: list[tuple[str, Model, Condition | None]] = field(default_factory=list)
    _puts: list[tuple[str, Model, Condition | None]] = field(default_factory=list)
    _updates: list[tuple[str, Model, list[Action], Condition | None]] = field(default_factory=list)

    def delete(self, label: str, item: Model, condition: Condition | None = None) -> None:
        self._deletes.append((label, item, condition))

    def put(self, label: str, item: Model, condition: Condition | None = None) -> None:
        self._puts.append((label, item, condition))

    def update(
        self, label: str, item: Model, actions: list[Action], condition: Condition | None = None
    ) -> None:
        self._updates.append((label, item, actions, condition))

    def commit(self) -> None:
        labels = [
            *(label for label, *_ in self._deletes),
            *(label for label, *_ in self._puts),
            *(label for label, *_ in self._updates),
        ]
        try:
            with TransactWrite(connection=self.connection) as transaction:
                for _, item, condition in self._deletes:
                    transaction.delete(item, condition=condition)
                for _, item, condition in self._puts:
                    transaction.save(item, condition=condition)
                for _, item, actions, update_condition in self._updates:
                    transaction.update(item, actions=actions, condition=update_condition)
        except TransactWriteError as error:
            if error.cause_response_code == "ValidationException":
                raise WriteRejected(error.cause_response_message or str(error)) from error
            reasons = error.cancellation_reasons or []
            failed = {
                label
                for label, reason in zip(labels, reasons, strict=False)
                if reason is not None and reason.code == "ConditionalCheckFailed"
            }
            if not failed and error.cause_response_code == "TransactionCanceledException":
                # Cancelled by a concurrent transaction on the same items.
                raise RetryableConflict("a concurrent change got there first") from error
            if not failed:
                raise
            raise self._refusal(failed) from error

    def _refusal(self, failed: set[str]) -> Exception:
        over_limit = [label.split(":", 1)[1] for label in failed if label.startswith("limit:")]
        if over_limit:
            return DailyOfferLimit(over_limit)
        for label, refusal in self.refusals.items():
            if label in failed:
                return refusal(f"refused: {refusal.__doc__ or label}")
        return TransactionCancelled(failed)


class DynamoStore:
    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    @cached_property
    def _connection(self) -> Connection:
        return Connection(region=self._settings.region)

    @contextmanager
    def _transaction(self, refusals: Refusals | None = None) -> Iterator[_Transaction]:
        transaction = _Transaction(self._connection, refusals or {})
        yield transaction
        transaction.commit()

    def _batch_get(
        self, keys: Sequence[tuple[type[Model], str, str]]
    ) -> dict[tuple[str, str], Any]:
        """Items of several tables in one strongly consistent BatchGetItem."""
        request: dict[str, Any] = {}
        models: dict[str, type[Model]] = {}
        for model, hash_key, range_key in keys:
            table = model.Meta.table_name
            models[table] = model
            request.setdefault(table, {"Keys": [], "ConsistentRead": True})["Keys"].append(
                {"pk": {"S": hash_key}, "sk": {"S": range_key}}
            )
        found: dict[tuple[str, str], Any] = {}
        while request:
            client: Any = self._connection.client
            response = client.batch_get_item(RequestItems=request)
            for table, items in response.get("Responses", {}).items():
                for raw in items:
                    found[(raw["pk"]["S"], raw["sk"]["S"])] = models[table].from_raw_data(raw)
            request = response.get("UnprocessedKeys") or {}
        return found

    # --- catalogue ---------------------------------------------------------------------

    def get_business(self, business_id: str) -> Business | None:
        """The profile with its count of open window entries, in one read."""
        pk = business_key(business_id)
        found = self._batch_get(
            [
                (CatalogueItem, pk, BusinessItem.SORT_KEY),
                (CatalogueItem, pk, WindowCountItem.SORT_KEY),
            ]
        )
        return _business_of(found, pk)

    def save_business(self, business: Business) -> None:
        """The profile as changed from the one read; RetryableConflict if another change
        came first."""
        item = mapping.business_to_item(business)
        item.revision = business.revision + 1
        try:
            item.save(condition=profile_at(business.revision))
        except PutError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                raise RetryableConflict("the business's profile changed meanwhile") from error
            raise

    def add_services(self, services: Sequence[Service]) -> None:
        with self._transaction() as transaction:
            for service in services:
                transaction.put("service", mapping.service_to_item(service), _is_new())

    def list_services(self, business_id: str) -> list[Service]:
        items = CatalogueItem.query(
            business_key(business_id), CatalogueItem.sk.startswith(keys.service_key(""))
        )
        return [mapping.service_from_item(item) for item in items if isinstance(item, ServiceItem)]

    def get_services(self, business_id: str, service_ids: set[str]) -> dict[str, Service]:
        found = self._batch_get(
            [
                (CatalogueItem, business_key(business_id), keys.service_key(service_id))
                for service_id in sorted(service_ids)
            ]
        )
        services = [
            mapping.service_from_item(i) for i in found.values() if isinstance(i, ServiceItem)
        ]
        return {service.service_id: service for service in services}

    def get_service_and_business(
        self, business_id: str, service_id: str
    ) -> tuple[Service | None, Business | None]:
        service, business = self._with_business(business_id, keys.service_key(service_id))
        return (
            mapping.service_from_item(service) if isinstance(service, ServiceItem) else None,
            business,
        )

    def _with_business(self, business_id: str, sort_key: str) -> tuple[Any, Business | None]:
        """One catalogue item with its business, in one read."""
        pk = business_key(business_id)
        found = self._batch_get(
            [
                (CatalogueItem, pk, sort_key),
                (CatalogueItem, pk, BusinessItem.SORT_KEY),
                (CatalogueItem, pk, WindowCountItem.SORT_KEY),
            ]
        )
        return found.get((pk, sort_key)), _business_of(found, pk)

    def save_pipeline_statuses(
        self, business: Business, statuses: Sequence[PipelineStatus], start: PipelineStatus | None
    ) -> None:
        """The steps, and the business's note of where bookings begin, together."""
        with self._transaction() as transaction:
            for status in statuses:
                transaction.put("status", mapping.pipeline_status_to_item(status))
            transaction.update(
                "business",
                BusinessItem(business_key(business.business_id), BusinessItem.SORT_KEY),
                [
                    BusinessItem.pipeline_start_id.set(start.status_id)
                    if start
                    else BusinessItem.pipeline_start_id.remove(),
                    BusinessItem.pipeline_start_name.set(start.name)
                    if start
                    else BusinessItem.pipeline_start_name.remove(),
                    BusinessItem.revision.add(1),
                ],
                BusinessItem.pk.exists(),
            )

    def get_pipeline_status(self, business_id: str, status_id: str) -> PipelineStatus | None:
        try:
            item = PipelineStatusItem.get(
                business_key(business_id), keys.pipeline_status_key(status_id)
            )
        except DoesNotExist:
            return None
        return mapping.pipeline_status_from_item(item)

    def list_pipeline_statuses(self, business_id: str) -> list[PipelineStatus]:
        items = CatalogueItem.query(
            business_key(business_id), CatalogueItem.sk.startswith(keys.pipeline_status_key(""))
        )
        return [
            mapping.pipeline_status_from_item(item)
            for item in items
            if isinstance(item, PipelineStatusItem)
        ]

    def add_slots(self, slots: Sequence[Slot]) -> None:
        with self._transaction() as transaction:
            for slot in slots:
                transaction.put("slot", mapping.slot_to_item(slot), _is_new())

    def change_slot(
        self, before: Slot, after: Slot, release: SeatRelease | None, at: datetime
    ) -> None:
        """Change a slot's capacity, staff or location. Seats a raise adds go to the waiting
        list in the same write when customers wait; conditioned on what was read."""
        held = release.count if release else 0
        actions: list[Action] = [
            SlotItem.capacity.set(after.capacity),
            SlotItem.staff.set(after.staff) if after.staff else SlotItem.staff.remove(),
            SlotItem.location.set(after.location) if after.location else SlotItem.location.remove(),
        ]
        if held:
            actions += [SlotItem.taken.add(held), SlotItem.held.add(held)]
        condition = (
            SlotItem.pk.exists()
            & (SlotItem.capacity == before.capacity)
            & (SlotItem.taken == before.taken)
            & (SlotItem.waiting == before.waiting)
        )
        try:
            with self._transaction() as transaction:
                transaction.update(
                    "slot", _slot_keys(before.business_id, before.slot_id), actions, condition
                )
                if release is not None:
                    transaction.put("release", mapping.seat_release_to_item(release, at), _is_new())
                    for hold in holds_of(release, at):
                        transaction.put("hold", _hold_item(hold))
        except TransactionCancelled as error:
            raise RetryableConflict("the slot changed meanwhile") from error

    def list_slots(self, business_id: str) -> list[Slot]:
        items = CatalogueItem.query(
            business_key(business_id), CatalogueItem.sk.startswith(keys.slot_key(""))
        )
        slots = [mapping.slot_from_item(item) for item in items if isinstance(item, SlotItem)]
        return sorted(slots, key=lambda slot: (slot.starts_at, slot.slot_id))

    def get_slot(self, business_id: str, slot_id: str) -> Slot | None:
        try:
            item = SlotItem.get(business_key(business_id), keys.slot_key(slot_id))
        except DoesNotExist:
            return None
        return mapping.slot_from_item(item)

    def get_slot_and_business(
        self, business_id: str, slot_id: str
    ) -> tuple[Slot | None, Business | None]:
        slot_item, business = self._with_business(business_id, keys.slot_key(slot_id))
        return (
            mapping.slot_from_item(slot_item) if isinstance(slot_item, SlotItem) else None,
            business,
        )

    # --- bookings --------------------------------------------------------------------------

    def book(self, booking: Booking, messages: Sequence[OutboxMessage]) -> None:
        """Take a free seat: the slot's count, the booking, its history and its message in
        one transaction."""
        with self._transaction(SEAT_REFUSALS) as transaction:
            transaction.update(
                "slot",
                _slot_keys(booking.business_id, booking.slot_id),
                [SlotItem.taken.add(1), _holds_seat(booking.contact)],
                SlotItem.pk.exists()
                & (SlotItem.taken < SlotItem.capacity)
                & _holds_no_seat(booking.contact),
            )
            transaction.put("booking", mapping.booking_to_item(booking), _is_new())
            transaction.put(
                "history", _history_item(booking.business_id, _created(booking)), _is_new()
            )
            for message in messages:
                transaction.put("message", mapping.message_to_item(message), _is_new())

    def get_booking_context(
        self, business_id: str, slot_id: str, booking_id: str
    ) -> tuple[Booking | None, Slot | None, Business | None]:
        """A booking with its slot and business, in one read."""
        partition = slot_partition(business_id, slot_id)
        catalogue = business_key(business_id)
        found = self._batch_get(
            [
                (BookingsItem, partition, keys.booking_key(booking_id)),
                (CatalogueItem, catalogue, keys.slot_key(slot_id)),
                (CatalogueItem, catalogue, BusinessItem.SORT_KEY),
                (CatalogueItem, catalogue, WindowCountItem.SORT_KEY),
            ]
        )
        booking_item = found.get((partition, keys.booking_key(booking_id)))
        slot_item = found.get((catalogue, keys.slot_key(slot_id)))
        return (
            mapping.booking_from_item(booking_item)
            if isinstance(booking_item, BookingItem)
            else None,
            mapping.slot_from_item(slot_item) if isinstance(slot_item, SlotItem) else None,
            _business_of(found, catalogue),
        )

    def change_booking(
        self,
        before: Booking,
        after: Booking,
        change: Change,
        messages: Sequence[OutboxMessage],
        *,
        list_open: bool,
    ) -> None:
        """Write a booking's new status. When it gives up its seat, the same transaction
        holds the seat for the waiting list or puts it back on sale, as `after` says.
        Conditioned on the version read, so a concurrent change forces a retry."""
        try:
            with self._transaction() as transaction:
                transaction.put(
                    "booking",
                    mapping.booking_to_item(after),
                    BookingItem.version == before.version,
                )
                if before.status.holds_seat and not after.status.holds_seat:
                    _free_seat(transaction, before.business_id, before.slot_id, after, list_open)
                transaction.put("history", _history_item(after.business_id, change), _is_new())
                for message in messages:
                    transaction.put("message", mapping.message_to_item(message), _is_new())
        except TransactionCancelled as error:
            raise RetryableConflict("the booking or its slot changed meanwhile") from error

    def move_booking(
        self,
        before: Booking,
        moved_away: Booking,
        arrived: Booking,
        change: Change,
        messages: Sequence[OutboxMessage],
        *,
        list_open: bool,
    ) -> None:
        """Take the new seat and free the old one, or change nothing."""
        with self._transaction(SEAT_REFUSALS) as transaction:
            transaction.put(
                "booking",
                mapping.booking_to_item(moved_away),
                BookingItem.version == before.version,
            )
            transaction.put(
                "arrived",
                mapping.booking_to_item(arrived),
                BookingItem.pk.does_not_exist() | (BookingItem.status == BookingStatus.MOVED.value),
            )
            transaction.update(
                "target",
                _slot_keys(arrived.business_id, arrived.slot_id),
                [SlotItem.taken.add(1), _holds_seat(arrived.contact)],
                SlotItem.pk.exists()
                & (SlotItem.taken < SlotItem.capacity)
                & _holds_no_seat(arrived.contact),
            )
            _free_seat(transaction, before.business_id, before.slot_id, moved_away, list_open)
            transaction.put("history", _history_item(arrived.business_id, change), _is_new())
            for message in messages:
                transaction.put("message", mapping.message_to_item(message), _is_new())

    def history(self, business_id: str, booking_id: str) -> list[Change]:
        """Every change of a booking, newest first."""
        items = BookingsItem.query(
            keys.history_partition(business_id, booking_id), scan_index_forward=False
        )
        return [_change_from_item(item) for item in items if isinstance(item, HistoryItem)]

    def bookings_with_status(
        self, business_id: str, status: BookingStatus, limit: int
    ) -> list[Booking]:
        """Bookings of a status across every slot, soonest first: one Query on an index
        that holds only bookings with a seat."""
        items = BookingsItem.by_status.query(keys.status_key(business_id, status), limit=limit)
        return [mapping.booking_from_item(i) for i in items if isinstance(i, BookingItem)]

    def list_bookings(
        self, business_id: str, slot_id: str, *, consistent: bool = False
    ) -> list[Booking]:
        items = BookingsItem.query(
            slot_partition(business_id, slot_id),
            BookingsItem.sk.startswith(keys.booking_key("")),
            consistent_read=consistent,
        )
        bookings = [mapping.booking_from_item(i) for i in items if isinstance(i, BookingItem)]
        return sorted(bookings, key=lambda booking: (booking.created_at, booking.booking_id))

    # --- waiting list ------------------------------------------------------------------------

    def join(
        self,
        entry: WaitingEntry,
        seen_waiting: int,
        max_open_entries: int = 0,
        messages: Sequence[OutboxMessage] = (),
    ) -> None:
        """Add an entry to a full slot's list; conditioned on the count read, so the
        position the customer is told is exact. Its messages are queued in the same write."""
        with self._transaction(JOIN_REFUSALS) as transaction:
            for message in messages:
                transaction.put("message", mapping.message_to_item(message), _is_new())
            transaction.update(
                "slot",
                _slot_keys(entry.business_id, entry.slot_id),
                [SlotItem.waiting.add(1)],
                SlotItem.pk.exists()
                & (SlotItem.taken >= SlotItem.capacity)
                & (SlotItem.waiting == seen_waiting)
                & _holds_no_seat(entry.contact),
            )
            _one_more_list(transaction, entry, max_open_entries)
            _new_member(transaction, entry)
            transaction.put(
                "entry",
                mapping.entry_to_item(entry, queue_position(entry.signed_up_at, entry.entry_id)),
                _is_new(),
            )

    def join_window(
        self,
        entry: WaitingEntry,
        *,
        messages: Sequence[OutboxMessage] = (),
        max_open_entries: int = 0,
    ) -> None:
        """Add a window entry to its service's list, and count it as open, so a seat freed
        meanwhile is held for the list until the refill has looked for a match."""
        with self._transaction(JOIN_REFUSALS) as transaction:
            for message in messages:
                transaction.put("message", mapping.message_to_item(message), _is_new())
            _one_more_list(transaction, entry, max_open_entries)
            _new_member(transaction, entry)
            _count_windows(transaction, entry.business_id, 1)
            transaction.put(
                "entry",
                mapping.entry_to_item(entry, queue_position(entry.signed_up_at, entry.entry_id)),
                _is_new(),
            )

    def get_entry(self, business_id: str, slot_id: str, entry_id: str) -> WaitingEntry | None:
        return self._entry_in(slot_partition(business_id, slot_id), entry_id)

    def get_window_entry(
        self, business_id: str, service_id: str, entry_id: str
    ) -> WaitingEntry | None:
        return self._entry_in(service_partition(business_id, service_id), entry_id)

    def _entry_in(self, partition: str, entry_id: str) -> WaitingEntry | None:
        try:
            item = WaitingEntryItem.get(partition, keys.entry_key(entry_id))
        except DoesNotExist:
            return None
        return mapping.entry_from_item(item)

    def get_entry_and_business(
        self, business_id: str, slot_id: str, entry_id: str
    ) -> tuple[WaitingEntry | None, Business | None]:
        """One read for both: leaving the list needs the business's message rules."""
        pk = business_key(business_id)
        entry_pk, entry_sk = slot_partition(business_id, slot_id), keys.entry_key(entry_id)
        found = self._batch_get(
            [(BookingsItem, entry_pk, entry_sk), (CatalogueItem, pk, BusinessItem.SORT_KEY)]
        )
        entry_item = found.get((entry_pk, entry_sk))
        business_item = found.get((pk, BusinessItem.SORT_KEY))
        return (
            mapping.entry_from_item(entry_item)
            if isinstance(entry_item, WaitingEntryItem)
            else None,
            mapping.business_from_item(business_item)
            if isinstance(business_item, BusinessItem)
            else None,
        )

    def position_of(self, entry: WaitingEntry) -> int:
        """1 for the next in line. Counts only the entries ahead, through the queue index."""
        ahead = BookingsItem.queue.count(
            keys.entry_partition(entry),
            BookingsItem.queue_position < queue_position(entry.signed_up_at, entry.entry_id),
            consistent_read=True,
        )
        return ahead + 1

    def leave(
        self,
        entry: WaitingEntry,
        now: datetime,
        messages: Sequence[OutboxMessage] = (),
        status: EntryStatus = EntryStatus.LEFT,
    ) -> WaitingEntry:
        try:
            with self._transaction() as transaction:
                for message in messages:
                    transaction.put("message", mapping.message_to_item(message), _is_new())
                transaction.update(
                    "entry",
                    _entry_keys(entry),
                    [
                        WaitingEntryItem.status.set(status.value),
                        WaitingEntryItem.updated_at.set(now),
                        WaitingEntryItem.queue_position.remove(),
                        *_off_the_deadlines(),
                    ],
                    WaitingEntryItem.status == EntryStatus.WAITING.value,
                )
                if entry.window is None:
                    transaction.update(
                        "slot",
                        _slot_keys(entry.business_id, entry.slot_id),
                        [SlotItem.waiting.add(-1)],
                        SlotItem.pk.exists(),
                    )
                else:
                    _count_windows(transaction, entry.business_id, -1)
                _entry_closed(transaction, entry.business_id, entry.contact, list_key(entry))
        except TransactionCancelled as error:
            if "entry" in error.failed:
                raise NotActive("this place on the waiting list is no longer waiting") from error
            raise
        return replace(entry, status=status, updated_at=now)

    def waiting_candidates(self, business_id: str, slot_id: str, limit: int) -> list[WaitingEntry]:
        """The first `limit` entries still waiting, in sign-up order: one Query, however
        long the list."""
        items = BookingsItem.queue.query(
            slot_partition(business_id, slot_id), consistent_read=True, limit=limit
        )
        return [mapping.entry_from_item(i) for i in items if isinstance(i, WaitingEntryItem)]

    def window_candidates(
        self, business_id: str, slot: SlotSummary, limit: int
    ) -> list[WaitingEntry]:
        """The first `limit` window entries of the slot's service that a seat of `slot`
        fits, in sign-up order: one Query on the service's list, filtered on the window,
        staff and location."""
        if slot.service_id is None:
            return []
        fits = (
            (WaitingEntryItem.window_from <= slot.starts_at)
            & (WaitingEntryItem.window_to >= slot.ends_at)
            & (
                WaitingEntryItem.window_staff.does_not_exist()
                | (WaitingEntryItem.window_staff == (slot.staff or ""))
            )
            & (
                WaitingEntryItem.window_location.does_not_exist()
                | (WaitingEntryItem.window_location == (slot.location or ""))
            )
        )
        items = BookingsItem.queue.query(
            service_partition(business_id, slot.service_id),
            filter_condition=fits,
            consistent_read=True,
            limit=limit,
        )
        return [mapping.entry_from_item(i) for i in items if isinstance(i, WaitingEntryItem)]

    def ended_windows(self, now: datetime, limit: int) -> list[WaitingEntry]:
        """Window entries still open whose window has ended, across every business."""
        items = _past_deadline(keys.OPEN_WINDOWS, now, limit)
        return [mapping.entry_from_item(i) for i in items if isinstance(i, WaitingEntryItem)]

    def list_window_entries(self, business_id: str, service_id: str) -> list[WaitingEntry]:
        items = BookingsItem.query(
            service_partition(business_id, service_id),
            BookingsItem.sk.startswith(keys.entry_key("")),
        )
        return sign_up_order(
            [mapping.entry_from_item(i) for i in items if isinstance(i, WaitingEntryItem)]
        )

    def list_entries(self, business_id: str, slot_id: str) -> list[WaitingEntry]:
        items = BookingsItem.query(
            slot_partition(business_id, slot_id), BookingsItem.sk.startswith(keys.entry_key(""))
        )
        return sign_up_order(
            [mapping.entry_from_item(i) for i in items if isinstance(i, WaitingEntryItem)]
        )

    # --- the refill ----------------------------------------------------------------------------

    def assign_held_seat(
        self,
        freed: FreedSeat,
        entry: WaitingEntry,
        booking: Booking,
        messages: Sequence[OutboxMessage],
        decision: RefillDecision,
    ) -> None:
        """Turn the hold into the waiting customer's booking, mark their entry, queue their
        message and record the decision — all or nothing, and only once per cause."""
        with self._transaction(REFILL_REFUSALS) as transaction:
            transaction.put("booking", mapping.booking_to_item(booking), _is_new())
            transaction.put(
                "history", _history_item(booking.business_id, _created(booking)), _is_new()
            )
            transaction.put("refill", _refill_item(freed, decision), _refill_state(None))
            for message in messages:
                transaction.put("message", mapping.message_to_item(message), _is_new())
            transaction.update(
                "slot",
                _slot_keys(freed.business_id, freed.slot_id),
                [SlotItem.held.add(-1), *_one_fewer_waiting(entry), _holds_seat(booking.contact)],
                (SlotItem.held > 0) & _holds_no_seat(booking.contact),
            )
            _entry_booked(transaction, entry, booking)

    def move_into_held_seat(
        self,
        freed: FreedSeat,
        entry: WaitingEntry,
        moved_away: Booking,
        arrived: Booking,
        change: Change,
        messages: Sequence[OutboxMessage],
        decision: RefillDecision,
        *,
        list_open: bool,
    ) -> None:
        """An earlier-slot request is met: the customer's booking moves into the held
        seat and gives up its later one (held for that slot's list when anyone waits),
        their entry is closed, the decision recorded — all or nothing, once per cause."""
        with self._transaction(REFILL_REFUSALS) as transaction:
            transaction.put("refill", _refill_item(freed, decision), _refill_state(None))
            transaction.update(
                "slot",
                _slot_keys(freed.business_id, freed.slot_id),
                [SlotItem.held.add(-1), _holds_seat(arrived.contact)],
                (SlotItem.held > 0) & _holds_no_seat(arrived.contact),
            )
            _write_move(transaction, Move(moved_away, arrived, change), list_open)
            for message in messages:
                transaction.put("message", mapping.message_to_item(message), _is_new())
            _entry_booked(transaction, entry, arrived)

    def release_held_seat(
        self, freed: FreedSeat, decision: RefillDecision, prior: RefillDecision | None = None
    ) -> None:
        """No one can take the held seat: put it back on sale, once per cause."""
        with self._transaction(REFILL_REFUSALS) as transaction:
            transaction.put("refill", _refill_item(freed, decision), _refill_state(prior))
            transaction.update(
                "slot",
                _slot_keys(freed.business_id, freed.slot_id),
                [SlotItem.held.add(-1), SlotItem.taken.add(-1)],
                SlotItem.held > 0,
            )

    def queue_message(self, message: OutboxMessage) -> None:
        """Queue one message; one already queued for the same cause is left as it is."""
        try:
            mapping.message_to_item(message).save(condition=OutboxMessageItem.pk.does_not_exist())
        except PutError as error:
            if error.cause_response_code != "ConditionalCheckFailedException":
                raise

    def book_from_list(
        self, entry: WaitingEntry, booking: Booking, messages: Sequence[OutboxMessage]
    ) -> None:
        """Staff give a free seat to a waiting customer: the seat, the entry, the booking,
        its history and its message together."""
        with self._transaction(SEAT_REFUSALS) as transaction:
            transaction.update(
                "slot",
                _slot_keys(entry.business_id, entry.slot_id),
                [SlotItem.taken.add(1), *_one_fewer_waiting(entry), _holds_seat(booking.contact)],
                SlotItem.pk.exists()
                & (SlotItem.taken < SlotItem.capacity)
                & _holds_no_seat(booking.contact),
            )
            _entry_booked(transaction, entry, booking)
            transaction.put("booking", mapping.booking_to_item(booking), _is_new())
            transaction.put(
                "history", _history_item(booking.business_id, _created(booking)), _is_new()
            )
            for message in messages:
                transaction.put("message", mapping.message_to_item(message), _is_new())

    # --- offers ------------------------------------------------------------------------------

    def offer_round(
        self,
        freed: FreedSeat,
        record: RefillDecision,
        prior: RefillDecision | None,
        offers: Sequence[Offer],
        messages: Sequence[OutboxMessage],
        *,
        day: str,
        max_per_day: int,
    ) -> None:
        """Offer the held seat to the next customers: their offers, their entries marked as
        offered, their messages, their daily counts and the seat's record, all or nothing,
        once per round. A customer over the daily limit fails it as `limit:<entry id>`."""
        with self._transaction(REFILL_REFUSALS) as transaction:
            transaction.put("refill", _refill_item(freed, record), _refill_state(prior))
            for offer in offers:
                transaction.update(
                    f"limit:{offer.entry_id}",
                    CustomerItem(
                        keys.customer_partition(offer.business_id, customer_key(offer.contact)),
                        keys.daily_offers_key(day),
                    ),
                    [CustomerItem.offers.add(1), CustomerItem.business_id.set(offer.business_id)],
                    None
                    if max_per_day <= 0
                    else CustomerItem.offers.does_not_exist() | (CustomerItem.offers < max_per_day),
                )
                transaction.put("offer", mapping.offer_to_item(offer), _is_new())
                transaction.update(
                    "entry",
                    _offered_entry_keys(offer),
                    [
                        WaitingEntryItem.status.set(EntryStatus.OFFERED.value),
                        WaitingEntryItem.queue_position.remove(),
                    ],
                    WaitingEntryItem.status == EntryStatus.WAITING.value,
                )
            for message in messages:
                transaction.put("message", mapping.message_to_item(message), _is_new())

    def close_offers(
        self,
        closed: Sequence[Offer],
        messages: Sequence[OutboxMessage],
        record: tuple[FreedSeat, RefillDecision, RefillDecision] | None = None,
    ) -> None:
        """Close open offers (expired, declined or taken): each customer keeps their place
        on the list. With `record` (the seat, its record before and after), the round is
        marked closed in the same write, once."""
        with self._transaction(CLOSE_REFUSALS) as transaction:
            if record is not None:
                freed, prior, after = record
                transaction.put("refill", _refill_item(freed, after), _refill_state(prior))
            for offer in closed:
                _close_offer(transaction, offer)
            for message in messages:
                transaction.put("message", mapping.message_to_item(message), _is_new())

    def accept_offer(
        self,
        offer: Offer,
        freed: FreedSeat,
        prior: RefillDecision,
        booked: RefillDecision,
        booking: Booking,
        messages: Sequence[OutboxMessage],
        now: datetime,
        moving: tuple[Move, bool] | None = None,
    ) -> None:
        """The customer takes the seat: only while their offer is open and in time, and
        only if no one else took it first (the seat's record is conditioned on its state
        when read). The round's other offers are closed from this offer's stream record.
        With `moving` (the move and whether the list claims the later seat), an
        earlier-slot request is met: the customer's booking moves into the seat and frees
        its later one, instead of a new booking being made."""
        with self._transaction(ACCEPT_REFUSALS) as transaction:
            accepted = replace(offer, status=OfferStatus.ACCEPTED)
            transaction.put(
                "offer",
                mapping.offer_to_item(accepted),
                (OfferItem.status == OfferStatus.OPEN.value) & (OfferItem.expires_at > now),
            )
            transaction.put("refill", _refill_item(freed, booked), _refill_state(prior))
            slot = _slot_keys(offer.business_id, offer.slot_id)
            one_fewer: list[Action] = [] if offer.window_service_id else [SlotItem.waiting.add(-1)]
            if offer.window_service_id:
                _count_windows(transaction, offer.business_id, -1)
            holder = _holds_seat(booking.contact)
            if prior.holds_seat:
                transaction.update(
                    "slot",
                    slot,
                    [SlotItem.held.add(-1), *one_fewer, holder],
                    (SlotItem.held > 0) & _holds_no_seat(booking.contact),
                )
            else:
                # Offered by staff while the seat stayed on sale: it must still be free.
                transaction.update(
                    "slot",
                    slot,
                    [SlotItem.taken.add(1), *one_fewer, holder],
                    (SlotItem.taken < SlotItem.capacity) & _holds_no_seat(booking.contact),
                )
            transaction.update(
                "entry",
                _offered_entry_keys(offer),
                [
                    WaitingEntryItem.status.set(EntryStatus.BOOKED.value),
                    WaitingEntryItem.booking_id.set(booking.booking_id),
                    WaitingEntryItem.updated_at.set(now),
                    *_off_the_deadlines(),
                ],
                WaitingEntryItem.status == EntryStatus.OFFERED.value,
            )
            if moving is None:
                transaction.put("booking", mapping.booking_to_item(booking), _is_new())
                transaction.put(
                    "history", _history_item(booking.business_id, _created(booking)), _is_new()
                )
            else:
                move, list_open = moving
                _write_move(transaction, move, list_open)
            for message in messages:
                transaction.put("message", mapping.message_to_item(message), _is_new())
            _entry_closed(transaction, offer.business_id, offer.contact, offer.list_key)

    def get_offer(self, business_id: str, slot_id: str, offer_id: str) -> Offer | None:
        try:
            item = OfferItem.get(slot_partition(business_id, slot_id), keys.offer_key(offer_id))
        except DoesNotExist:
            return None
        return mapping.offer_from_item(item)

    def offer_to_answer(
        self, business_id: str, slot_id: str, offer_id: str
    ) -> tuple[Offer | None, RefillDecision | None, Business | None, Slot | None]:
        """An offer, the record of the seat it is for, the business and the slot: one
        read."""
        cause = cause_of(offer_id)
        if cause is None:
            return None, None, None, None
        partition = slot_partition(business_id, slot_id)
        catalogue = business_key(business_id)
        offer_key, refill_key = keys.offer_key(offer_id), keys.refill_key(cause)
        found = self._batch_get(
            [
                (BookingsItem, partition, offer_key),
                (BookingsItem, partition, refill_key),
                (CatalogueItem, catalogue, BusinessItem.SORT_KEY),
                (CatalogueItem, catalogue, keys.slot_key(slot_id)),
            ]
        )
        offer = found.get((partition, offer_key))
        refill = found.get((partition, refill_key))
        business = found.get((catalogue, BusinessItem.SORT_KEY))
        slot = found.get((catalogue, keys.slot_key(slot_id)))
        return (
            mapping.offer_from_item(offer) if isinstance(offer, OfferItem) else None,
            _decision_from_item(refill) if isinstance(refill, RefillItem) else None,
            mapping.business_from_item(business) if isinstance(business, BusinessItem) else None,
            mapping.slot_from_item(slot) if isinstance(slot, SlotItem) else None,
        )

    def offers_of_round(
        self, business_id: str, slot_id: str, cause: str, round_number: int
    ) -> list[Offer]:
        items = BookingsItem.query(
            slot_partition(business_id, slot_id),
            BookingsItem.sk.startswith(keys.round_prefix(cause, round_number)),
            consistent_read=True,
        )
        return [mapping.offer_from_item(i) for i in items if isinstance(i, OfferItem)]

    def overdue_offers(self, now: datetime, limit: int) -> list[Offer]:
        """Open offers past their deadline, across every business, oldest first."""
        items = _past_deadline(keys.OPEN_OFFERS, now, limit)
        return [mapping.offer_from_item(i) for i in items if isinstance(i, OfferItem)]

    # --- reminders ---------------------------------------------------------------------------

    def due_reminders(self, now: datetime, limit: int) -> list[tuple[Booking, str]]:
        """Bookings whose next reminder is due by `now`, with the due key read: one Query
        per shard of the sparse due-reminders index, however many bookings lie ahead."""
        found: list[tuple[Booking, str]] = []
        for shard in range(keys.REMINDER_SHARDS):
            items = BookingsItem.due_reminders.query(
                keys.reminder_partition(shard),
                BookingsItem.reminder_due <= keys.due_by(now),
                limit=limit,
            )
            found += [
                (mapping.booking_from_item(item), str(item.reminder_due))
                for item in items
                if isinstance(item, BookingItem)
            ]
        return found

    def get_businesses(self, business_ids: set[str]) -> dict[str, Business]:
        """Several businesses' profiles in one read."""
        found = self._batch_get(
            [
                (CatalogueItem, business_key(business_id), BusinessItem.SORT_KEY)
                for business_id in sorted(business_ids)
            ]
        )
        businesses = [
            mapping.business_from_item(i) for i in found.values() if isinstance(i, BusinessItem)
        ]
        return {business.business_id: business for business in businesses}

    def reminded(self, booking: Booking, read_due: str, messages: Sequence[OutboxMessage]) -> None:
        """Queue a booking's due reminder and move its due key on to the next one (or off
        the index), together and only if the key is still the one read: of two sweeps that
        read the same booking, one does it. A message already queued for the same reminder
        fails the write as `message`."""
        reminder = mapping.upcoming_reminder(booking)
        assert booking.reminded_until is not None  # the moment this reminder was handled
        actions: list[Action] = [BookingItem.reminded_until.set(booking.reminded_until)]
        if reminder is None:
            actions += [BookingItem.due_shard.remove(), BookingItem.reminder_due.remove()]
        else:
            actions.append(
                BookingItem.reminder_due.set(
                    keys.reminder_due_key(reminder.due, booking.booking_id)
                )
            )
        with self._transaction() as transaction:
            transaction.update(
                "booking",
                BookingItem(
                    slot_partition(booking.business_id, booking.slot_id),
                    keys.booking_key(booking.booking_id),
                ),
                actions,
                BookingItem.reminder_due == read_due,
            )
            for message in messages:
                transaction.put("message", mapping.message_to_item(message), _is_new())

    def overdue_holds(self, now: datetime, limit: int) -> list[Hold]:
        """Holds whose refill has not decided by their deadline, across every business,
        oldest first: one Query on the index of open deadlines, which holds only what is
        still open."""
        items = _past_deadline(keys.OPEN_HOLDS, now, limit)
        return [_hold_from_item(i) for i in items if isinstance(i, RefillItem)]

    def holds_of(self, business_id: str, limit: int) -> list[Hold]:
        """The business's seats held for the waiting list and still awaiting the refill's
        decision, oldest first: one Query."""
        items = BookingsItem.by_status.query(keys.holds_key(business_id), limit=limit)
        return [_hold_from_item(i) for i in items if isinstance(i, RefillItem)]

    def get_hold(self, business_id: str, slot_id: str, cause: str) -> Hold | None:
        """The hold named by its cause, while it still awaits a decision."""
        try:
            item = RefillItem.get(
                slot_partition(business_id, slot_id),
                keys.refill_key(cause),
                consistent_read=True,
            )
        except DoesNotExist:
            return None
        if not isinstance(item, RefillItem) or item.outcome != HELD:
            return None
        return _hold_from_item(item)

    def open_place(self, business_id: str, on_list: str, contact: Contact) -> WaitingEntry | None:
        """The customer's open place on a list, if they have one."""
        place = _member_keys(business_id, on_list, contact)
        try:
            member = ListMemberItem.get(place.pk, place.sk, consistent_read=True)
        except DoesNotExist:
            return None
        if not isinstance(member, ListMemberItem):
            return None
        return self._entry_in(member.entry_partition, member.entry_id)

    def seat_of(self, business_id: str, slot_id: str, contact: Contact) -> Booking | None:
        """The booking by which this customer holds a seat of the slot, if any."""
        key = customer_key(contact)
        held = (
            booking
            for booking in self.list_bookings(business_id, slot_id, consistent=True)
            if booking.status.holds_seat and customer_key(booking.contact) == key
        )
        return next(held, None)

    def get_refill(self, business_id: str, slot_id: str, cause: str) -> RefillDecision | None:
        try:
            item = RefillItem.get(slot_partition(business_id, slot_id), keys.refill_key(cause))
        except DoesNotExist:
            return None
        return _decision_from_item(item)

    def refills(self, business_id: str, slot_id: str) -> list[RefillDecision]:
        """Every decision the refill made for the slot, newest first."""
        items = BookingsItem.query(
            slot_partition(business_id, slot_id), BookingsItem.sk.startswith(keys.refill_key(""))
        )
        decisions = [_decision_from_item(i) for i in items if isinstance(i, RefillItem)]
        return sorted(decisions, key=lambda decision: decision.decided_at, reverse=True)

    # --- outbox ------------------------------------------------------------------------------

    def get_message(self, business_id: str, message_id: str) -> OutboxMessage | None:
        try:
            item = OutboxMessageItem.get(*keys.message_keys(business_id, message_id))
        except DoesNotExist:
            return None
        return mapping.message_from_item(item)

    def mark_message(
        self,
        message: OutboxMessage,
        status: MessageStatus,
        *,
        at: datetime,
        provider_message_id: str | None = None,
        failure: str | None = None,
    ) -> None:
        item = OutboxMessageItem(*keys.message_keys(message.business_id, message.message_id))
        actions: list[Action] = [
            OutboxMessageItem.status.set(status.value),
            OutboxMessageItem.status_key.set(keys.message_status_key(message.business_id, status)),
        ]
        if status is MessageStatus.SENT:
            actions += [
                OutboxMessageItem.sent_at.set(at),
                OutboxMessageItem.attempts.set(message.attempts + 1),
                OutboxMessageItem.next_attempt_at.remove(),
            ]
        if provider_message_id:
            actions.append(OutboxMessageItem.provider_message_id.set(provider_message_id))
        if failure:
            actions.append(OutboxMessageItem.failure.set(failure))
        item.update(actions=actions, condition=OutboxMessageItem.pk.exists())

    def record_failed_attempt(
        self, message: OutboxMessage, error: str, next_attempt_at: datetime
    ) -> bool:
        """Count a failed hand-over and say when to try again; False when another attempt
        was recorded first (or the message went out meanwhile)."""
        item = OutboxMessageItem(*keys.message_keys(message.business_id, message.message_id))
        try:
            item.update(
                actions=[
                    OutboxMessageItem.attempts.set(message.attempts + 1),
                    OutboxMessageItem.last_error.set(error[:MAX_ERROR_LENGTH]),
                    OutboxMessageItem.next_attempt_at.set(next_attempt_at),
                ],
                condition=_still_queued(message),
            )
        except UpdateError as error_:
            if error_.cause_response_code == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def give_up_message(
        self, message: OutboxMessage, reason: str, fallback: OutboxMessage | None
    ) -> bool:
        """Mark a message failed with its reason and, in the same write, queue it on the
        customer's other channel; False when someone else settled it first."""
        actions: list[Action] = [
            OutboxMessageItem.status.set(MessageStatus.FAILED.value),
            OutboxMessageItem.status_key.set(
                keys.message_status_key(message.business_id, MessageStatus.FAILED)
            ),
            OutboxMessageItem.attempts.set(message.attempts + 1),
            OutboxMessageItem.failure.set(reason[:MAX_ERROR_LENGTH]),
            OutboxMessageItem.last_error.set(reason[:MAX_ERROR_LENGTH]),
            OutboxMessageItem.next_attempt_at.remove(),
        ]
        if fallback is not None:
            actions.append(OutboxMessageItem.fallback_message_id.set(fallback.message_id))
        try:
            with self._transaction() as transaction:
                transaction.update(
                    "message",
                    OutboxMessageItem(*keys.message_keys(message.business_id, message.message_id)),
                    actions,
                    _still_queued(message),
                )
                if fallback is not None:
                    transaction.put("fallback", mapping.message_to_item(fallback), _is_new())
        except (TransactionCancelled, RetryableConflict):
            return False
        return True

    def recent_messages(
        self, business_id: str, status: MessageStatus | None, limit: int, before: str | None = None
    ) -> MessagePage:
        """A business's messages, newest first, of one status or all, queued before the
        cursor `before` (from an earlier page): one Query."""
        older = OutboxMessageItem.when_queued < before if before else None
        if status is None:
            items = OutboxMessageItem.recent.query(
                business_id, older, scan_index_forward=False, limit=limit
            )
        else:
            items = OutboxMessageItem.by_status.query(
                keys.message_status_key(business_id, status),
                older,
                scan_index_forward=False,
                limit=limit,
            )
        found = list(items)
        more = items.last_evaluated_key is not None and len(found) == limit
        return MessagePage(
            [mapping.message_from_item(item) for item in found],
            str(found[-1].when_queued) if more else None,
        )


MAX_ERROR_LENGTH = 500


def _still_queued(message: OutboxMessage) -> Condition:
    """Still waiting to go out, with as many attempts as were read."""
    attempts = OutboxMessageItem.attempts
    read = (
        attempts.does_not_exist() | (attempts == 0)
        if message.attempts == 0
        else attempts == message.attempts
    )
    condition: Condition = (OutboxMessageItem.status == MessageStatus.QUEUED.value) & read
    return condition


def _free_seat(
    transaction: _Transaction,
    business_id: str,
    slot_id: str,
    after: Booking,
    list_open: bool,
    *,
    label: str = "slot",
) -> None:
    slot = _slot_keys(business_id, slot_id)
    gives_up = _gives_up_seat(after.contact)
    if after.seat_after_release is SeatAfterRelease.HELD_FOR_WAITING_LIST:
        transaction.update(label, slot, [SlotItem.held.add(1), gives_up], SlotItem.pk.exists())
        # The hold carries its cause and a deadline from the same write that makes it.
        transaction.put(
            f"{label}-hold", _hold_item(hold_for(after, after.updated_at or after.created_at))
        )
    elif list_open:
        # Nobody waited when we looked: free the seat only if that is still true.
        transaction.update(
            label,
            slot,
            [SlotItem.taken.add(-1), gives_up],
            SlotItem.pk.exists() & (SlotItem.waiting == 0),
        )
    else:
        transaction.update(label, slot, [SlotItem.taken.add(-1), gives_up], SlotItem.pk.exists())


def _write_move(transaction: _Transaction, move: Move, list_open: bool) -> None:
    """A booking moving into a seat already counted as taken (held for the list): the
    booking where it was (conditioned on the version read), where it arrives, its later
    seat freed, and the history step."""
    transaction.put(
        "moving",
        mapping.booking_to_item(move.moved_away),
        BookingItem.version == move.moved_away.version - 1,
    )
    transaction.put(
        "arrived",
        mapping.booking_to_item(move.arrived),
        BookingItem.pk.does_not_exist() | (BookingItem.status == BookingStatus.MOVED.value),
    )
    away = move.moved_away
    _free_seat(transaction, away.business_id, away.slot_id, away, list_open, label="later")
    transaction.put("history", _history_item(away.business_id, move.change), _is_new())


def _past_deadline(partition: str, now: datetime, limit: int) -> Iterable[BookingsItem]:
    """Items of one kind still open past their deadline, oldest first: one Query on the
    index of open deadlines."""
    return BookingsItem.open_offers.query(
        partition, BookingsItem.open_until < now.astimezone(UTC).isoformat(), limit=limit
    )


def _business_of(found: dict[tuple[str, str], Any], pk: str) -> Business | None:
    profile = found.get((pk, BusinessItem.SORT_KEY))
    windows = found.get((pk, WindowCountItem.SORT_KEY))
    if not isinstance(profile, BusinessItem):
        return None
    return mapping.business_from_item(
        profile, windows if isinstance(windows, WindowCountItem) else None
    )


def _count_windows(transaction: _Transaction, business_id: str, change: int) -> None:
    transaction.update(
        "windows",
        WindowCountItem(business_key(business_id), WindowCountItem.SORT_KEY),
        [
            WindowCountItem.open_windows.add(change),
            WindowCountItem.business_id.set(business_id),
            WindowCountItem.kind.set(WindowCountItem),
        ],
    )


def _off_the_deadlines() -> list[Action]:
    """A closed entry leaves the index of open windows (a no-op for a slot's entry)."""
    return [WaitingEntryItem.open_partition.remove(), WaitingEntryItem.open_until.remove()]


def _one_fewer_waiting(entry: WaitingEntry) -> list[Action]:
    """A slot counts only its own entries; window entries are counted per business."""
    return [] if entry.window is not None else [SlotItem.waiting.add(-1)]


def _customer_keys(business_id: str, key: str) -> CustomerItem:
    return CustomerItem(keys.customer_partition(business_id, key), keys.CUSTOMER_LIMITS)


def _entry_booked(transaction: _Transaction, entry: WaitingEntry, booking: Booking) -> None:
    """A waiting customer got their seat: their entry is booked and off the list."""
    transaction.update(
        "entry",
        _entry_keys(entry),
        [
            WaitingEntryItem.status.set(EntryStatus.BOOKED.value),
            WaitingEntryItem.booking_id.set(booking.booking_id),
            WaitingEntryItem.slot_id.set(booking.slot_id),
            WaitingEntryItem.updated_at.set(booking.updated_at or booking.created_at),
            WaitingEntryItem.queue_position.remove(),
            *_off_the_deadlines(),
        ],
        WaitingEntryItem.status == EntryStatus.WAITING.value,
    )
    if entry.window is not None:
        _count_windows(transaction, entry.business_id, -1)
    _entry_closed(transaction, entry.business_id, entry.contact, list_key(entry))


def _entry_closed(
    transaction: _Transaction, business_id: str, contact: Contact, on_list: str | None
) -> None:
    """One fewer list the customer is on, and their place on this one is free again."""
    transaction.update(
        "limit",
        _customer_keys(business_id, customer_key(contact)),
        [CustomerItem.open_entries.add(-1)],
    )
    if on_list is not None:
        transaction.delete("member", _member_keys(business_id, on_list, contact))


def _new_member(transaction: _Transaction, entry: WaitingEntry) -> None:
    """The customer's one open place on the entry's list: refused (as `member`) while they
    have one."""
    on_list = list_key(entry)
    if on_list is None:
        return
    place = _member_keys(entry.business_id, on_list, entry.contact)
    transaction.put(
        "member",
        ListMemberItem(
            place.pk,
            place.sk,
            business_id=entry.business_id,
            entry_id=entry.entry_id,
            entry_partition=keys.entry_partition(entry),
        ),
        _is_new(),
    )


def _member_keys(business_id: str, on_list: str, contact: Contact) -> ListMemberItem:
    return ListMemberItem(
        business_key(business_id), keys.member_key(on_list, customer_key(contact))
    )


def _holds_seat(contact: Contact) -> Action:
    return SlotItem.holders.add({customer_key(contact)})


def _gives_up_seat(contact: Contact) -> Action:
    return SlotItem.holders.delete({customer_key(contact)})


def _holds_no_seat(contact: Contact) -> Condition:
    """One seat per customer per slot."""
    condition: Condition = ~SlotItem.holders.contains(customer_key(contact))
    return condition


def _one_more_list(transaction: _Transaction, entry: WaitingEntry, max_open_entries: int) -> None:
    """One more list the customer is on, refused past the business's limit (0: none)."""
    transaction.update(
        "limit",
        _customer_keys(entry.business_id, customer_key(entry.contact)),
        [CustomerItem.open_entries.add(1), CustomerItem.business_id.set(entry.business_id)],
        None
        if max_open_entries <= 0
        else CustomerItem.open_entries.does_not_exist()
        | (CustomerItem.open_entries < max_open_entries),
    )


def _created(booking: Booking) -> Change:
    return Change(
        booking_id=booking.booking_id,
        version=booking.version,
        at=booking.created_at,
        by=Actor.WAITING_LIST if booking.source is BookingSource.WAITING_LIST else Actor.CUSTOMER,
        from_status=None,
        to_status=booking.status,
        to_slot_id=booking.slot_id,
    )


def _history_item(business_id: str, change: Change) -> HistoryItem:
    return HistoryItem(
        keys.history_partition(business_id, change.booking_id),
        keys.history_key(change.version),
        business_id=business_id,
        booking_id=change.booking_id,
        version=change.version,
        at=change.at,
        by=change.by.value,
        from_status=change.from_status.value if change.from_status else None,
        to_status=change.to_status.value,
        reason=change.reason,
        from_slot_id=change.from_slot_id,
        to_slot_id=change.to_slot_id,
        from_step=change.from_step,
        to_step=change.to_step,
    )


def _change_from_item(item: HistoryItem) -> Change:
    return Change(
        booking_id=item.booking_id,
        version=int(item.version),
        at=item.at,
        by=Actor(item.by),
        from_status=BookingStatus(item.from_status) if item.from_status else None,
        to_status=BookingStatus(item.to_status),
        reason=item.reason,
        from_slot_id=item.from_slot_id,
        to_slot_id=item.to_slot_id,
        from_step=item.from_step,
        to_step=item.to_step,
    )


def _is_new() -> Condition:
    return CatalogueItem.pk.does_not_exist()


def _slot_keys(business_id: str, slot_id: str) -> SlotItem:
    return SlotItem(business_key(business_id), keys.slot_key(slot_id))


def _entry_keys(entry: WaitingEntry) -> WaitingEntryItem:
    return WaitingEntryItem(keys.entry_partition(entry), keys.entry_key(entry.entry_id))


def _decision_from_item(item: RefillItem) -> RefillDecision:
    return RefillDecision(
        cause=item.cause,
        outcome=item.outcome,
        decided_at=item.decided_at,
        skipped=[SkippedEntry(s.entry_id, s.reason) for s in item.skipped],
        booking_id=item.booking_id,
        entry_id=item.entry_id,
        reason=item.reason,
        round=int(item.round or 0),
        closed_round=int(item.closed_round or 0),
        offered=tuple(item.offered or ()),
        offered_customers=tuple(item.offered_customers or ()),
        holds_seat=item.holds_seat is not False,
    )


OFFERING = "offering"
HELD = "held"
"""A hold's record before the refill's decision replaces it."""


def _refill_state(prior: RefillDecision | None) -> Condition:
    """The seat's record is as it was read: not there yet, or still offering in the same
    round. A redelivered cause, or a round already moved on, fails here."""
    condition: Condition = (
        RefillItem.pk.does_not_exist() | (RefillItem.outcome == HELD)
        if prior is None
        else (RefillItem.outcome == OFFERING)
        & (RefillItem.round == prior.round)
        & (RefillItem.closed_round == prior.closed_round)
    )
    return condition


def _offered_entry_keys(offer: Offer) -> WaitingEntryItem:
    partition = (
        service_partition(offer.business_id, offer.window_service_id)
        if offer.window_service_id
        else slot_partition(offer.business_id, offer.slot_id)
    )
    return WaitingEntryItem(partition, keys.entry_key(offer.entry_id))


def _close_offer(transaction: _Transaction, offer: Offer) -> None:
    """`offer` carries its new status; its customer goes back to their place on the list."""
    transaction.put(
        "closed",
        mapping.offer_to_item(offer),
        OfferItem.status == OfferStatus.OPEN.value,
    )
    transaction.update(
        "returned",
        _offered_entry_keys(offer),
        [
            WaitingEntryItem.status.set(EntryStatus.WAITING.value),
            WaitingEntryItem.queue_position.set(queue_position(offer.signed_up_at, offer.entry_id)),
        ],
        WaitingEntryItem.status == EntryStatus.OFFERED.value,
    )


def _hold_item(hold: Hold) -> RefillItem:
    """A hold awaiting the refill's decision: on the index of open deadlines (for the
    sweep, across businesses) and on the business's list of holds (for staff)."""
    return RefillItem(
        slot_partition(hold.business_id, hold.slot_id),
        keys.refill_key(hold.cause),
        business_id=hold.business_id,
        slot_id=hold.slot_id,
        cause=hold.cause,
        outcome=HELD,
        decided_at=hold.held_at,
        held_at=hold.held_at,
        slot=mapping.summary_to_map(hold.slot),
        chain_step=hold.chain_step or None,
        open_partition=keys.OPEN_HOLDS,
        open_until=f"{_utc(hold.decide_by)}#{hold.cause}",
        status_key=keys.holds_key(hold.business_id),
        status_sort=f"{_utc(hold.held_at)}#{hold.cause}",
    )


def _hold_from_item(item: RefillItem) -> Hold:
    return Hold(
        business_id=item.business_id,
        slot_id=item.slot_id,
        cause=item.cause,
        slot=mapping.summary_from_map(item.slot),
        held_at=item.held_at or item.decided_at,
        chain_step=int(item.chain_step or 0),
    )


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def _refill_item(freed: FreedSeat, decision: RefillDecision) -> RefillItem:
    return RefillItem(
        slot_partition(freed.business_id, freed.slot_id),
        keys.refill_key(decision.cause),
        business_id=freed.business_id,
        slot_id=freed.slot_id,
        cause=decision.cause,
        outcome=decision.outcome,
        decided_at=decision.decided_at,
        booking_id=decision.booking_id,
        entry_id=decision.entry_id,
        reason=decision.reason,
        skipped=[SkippedMap(entry_id=s.entry_id, reason=s.reason) for s in decision.skipped],
        round=decision.round,
        closed_round=decision.closed_round,
        offered=list(decision.offered),
        offered_customers=list(decision.offered_customers) or None,
        holds_seat=decision.holds_seat,
    )
