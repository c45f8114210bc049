"""Keys of items several repositories write, and the conditions and actions they share."""

from __future__ import annotations

from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action

from chalicelib.adapters.dynamodb import keys
from chalicelib.adapters.dynamodb.keys import business_key, service_partition, slot_partition
from chalicelib.adapters.dynamodb.models import (
    CatalogueItem,
    CustomerItem,
    ListMemberItem,
    SlotItem,
    WaitingEntryItem,
    WindowCountItem,
)
from chalicelib.adapters.dynamodb.writes import PendingWrites
from chalicelib.domain.model import Contact, WaitingEntry, customer_key
from chalicelib.domain.offers import Offer


def is_new() -> Condition:
    condition: Condition = CatalogueItem.pk.does_not_exist()
    return condition


def slot_keys(business_id: str, slot_id: str) -> SlotItem:
    return SlotItem(business_key(business_id), keys.slot_key(slot_id))


def entry_keys(entry: WaitingEntry) -> WaitingEntryItem:
    return WaitingEntryItem(keys.entry_partition(entry), keys.entry_key(entry.entry_id))


def offered_entry_keys(offer: Offer) -> WaitingEntryItem:
    partition = (
        service_partition(offer.business_id, offer.window_service_id)
        if offer.window_service_id
        else slot_partition(offer.business_id, offer.slot_id)
    )
    return WaitingEntryItem(partition, keys.entry_key(offer.entry_id))


def customer_keys(business_id: str, key: str) -> CustomerItem:
    return CustomerItem(keys.customer_partition(business_id, key), keys.CUSTOMER_LIMITS)


def member_keys(business_id: str, on_list: str, contact: Contact) -> ListMemberItem:
    return ListMemberItem(
        business_key(business_id), keys.member_key(on_list, customer_key(contact))
    )


def holds_seat(contact: Contact) -> Action:
    return SlotItem.holders.add({customer_key(contact)})


def gives_up_seat(contact: Contact) -> Action:
    return SlotItem.holders.delete({customer_key(contact)})


def holds_no_seat(contact: Contact) -> Condition:
    """One seat per customer per slot."""
    condition: Condition = ~SlotItem.holders.contains(customer_key(contact))
    return condition


def count_windows(writes: PendingWrites, business_id: str, change: int) -> None:
    """The business's count of open window entries, read with its profile."""
    writes.update(
        WindowCountItem(business_key(business_id), WindowCountItem.SORT_KEY),
        [
            WindowCountItem.open_windows.add(change),
            WindowCountItem.business_id.set(business_id),
            WindowCountItem.kind.set(WindowCountItem),
        ],
    )
