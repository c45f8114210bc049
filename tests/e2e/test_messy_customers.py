"""Messy customers, over HTTP on the local stack: a randomized, concurrent property test.

A crowd of customers books, waits on slots' lists and on windows, leaves, cancels through
their links, answers the offers in their inbox, writes languages no template speaks and
repeats themselves the way real people do (a double click, the same address in another
case, a list joined twice, a list joined while already holding a seat in it), while staff
cancel bookings and mark no-shows. Once the stack has settled, the waiting list's promises
must hold whatever the interleaving was: the tests below assert invariants, never one
exact outcome.

Every run prints its seed, and every failure names it. Each customer's choices follow
from the seed, so a failure's choices can be replayed (the threads' timing still varies
from one run to the next)::

    STANDBY_PROPERTY_SEED=<seed> .venv/bin/python -m pytest tests/e2e/test_messy_customers.py
"""

from __future__ import annotations

import http.client
import json
import os
import random
import re
import secrets
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest

from tests.e2e.conftest import RunningStack

pytestmark = pytest.mark.e2e

SEED_VARIABLE = "STANDBY_PROPERTY_SEED"
STUCK = "the refill could not decide"
"""How the allocation log words a refill that gave up and put its seat back on sale."""

# The load: bounded in customers, steps and seconds, so the module stays well under a
# minute on a 2-core machine, settling included. At this pace (about 15 requests a second,
# each setting off stream work and messages) the stack keeps up, so what is still queued
# or held once it settles is stuck, not late; at twice the pace it falls behind for
# seconds at a time on two cores.
CUSTOMERS = 36
LOAD_SECONDS = 20.0
ARRIVAL_SECONDS = 2.0
"""Customers arrive over the first seconds, not all in the same millisecond."""
STEPS_PER_CUSTOMER = 40
THINK_SECONDS = (1.6, 4.4)
STAFF = 2
STAFF_STEPS = 40
STAFF_THINK_SECONDS = (0.8, 2.0)
POSTMAN_SECONDS = 1.0
ANSWER_SECONDS = 30.0
SETTLE_SECONDS = 10.0
SETTLE_POLL_SECONDS = 0.5
STABLE_READ_ATTEMPTS = 5
IN_FLIGHT_SECONDS = 5.0
"""Offer rounds still run out after the crowd stops (one at a time, every window), each
queuing a message or holding a seat for a moment: only what is older is stuck."""
PAGES_READ_AT_MOST = 20
READERS = 8
"""Concurrent reads when taking the snapshot and tidying up."""

# The shortest offer window the business may set: rounds run out while the crowd acts.
OFFER_WINDOW_SECONDS = 10
MODES = ("automatic", "offer_to_many", "one_at_a_time")
SLOTS_PER_SERVICE = 3

HOLDING_SEAT = frozenset({"pending", "confirmed"})
OPEN_PLACE = frozenset({"waiting", "offered"})
UNKNOWN_LANGUAGES = ("xx", "zz-ZZ")
# Languages written as people write them: any case, with or without a region.
KNOWN_LANGUAGES_ODDLY_WRITTEN = ("EN-gb", "nb-NO")
HOME_LANGUAGES = (None, None, None, "en", "nb", "fr", "de", "da", *KNOWN_LANGUAGES_ODDLY_WRITTEN)
REPEAT_STYLES = ("once", "double click", "restyled", "unknown language")
REPEAT_STYLE_WEIGHTS = (5, 2, 2, 1)

OFFER_LINK = re.compile(r"/o/([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)")
BOOKING_LINK = re.compile(r"/b/([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)")
PLACE_LINK = re.compile(r"/w/([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)")
LONG_TOKEN = re.compile(r"eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")


def _seeds() -> list[int]:
    given = os.environ.get(SEED_VARIABLE)
    return [int(given)] if given else [secrets.randbits(32)]


def _short(text: str, limit: int = 200) -> str:
    """Tokens cut to their start, and the whole kept short, for readable failures."""
    text = LONG_TOKEN.sub(lambda match: match.group(0)[:12] + "…", text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- every request, answered or not -----------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    who: str
    method: str
    path: str
    body: Any
    status: int
    """0 when no answer came at all (a reset, a timeout)."""
    payload: Any
    started: datetime
    ended: datetime

    @property
    def ok(self) -> bool:
        return self.status in (200, 201)

    @property
    def message(self) -> str:
        if isinstance(self.payload, dict):
            return str(self.payload.get("Message", ""))
        return str(self.payload)

    def field(self, *path: str) -> Any:
        """A value of a 2xx answer's JSON, or None."""
        found: Any = self.payload if self.ok else None
        for name in path:
            found = found.get(name) if isinstance(found, dict) else None
        return found

    def describe(self) -> str:
        body = "" if self.body is None else " " + json.dumps(self.body)
        payload = self.payload if isinstance(self.payload, str) else json.dumps(self.payload)
        return _short(
            f"{self.who} at {self.started.time().isoformat(timespec='milliseconds')}: "
            f"{self.method} {self.path}{body} -> {self.status} {payload}",
            500,
        )


class Client:
    """Every request of a run goes through here, so that every answer is kept."""

    def __init__(self, stack: RunningStack) -> None:
        self._stack = stack
        self._lock = threading.Lock()
        self.answers: list[Answer] = []

    def call(
        self,
        who: str,
        method: str,
        path: str,
        body: Any = None,
        *,
        staff: bool = False,
        keep_payload: bool = True,
    ) -> Answer:
        started = datetime.now(UTC)
        try:
            # Slow is not unanswered: a request counts as lost only when nothing comes back
            # within half a minute.
            status, payload = self._stack.call(
                method, path, body, staff=staff, timeout=ANSWER_SECONDS
            )
        except (OSError, http.client.HTTPException, ValueError) as error:
            # A reset, a timeout or a garbled answer: the stack failed to answer.
            status, payload = 0, f"{type(error).__name__}: {error}"
        answer = Answer(who, method, path, body, status, payload, started, datetime.now(UTC))
        with self._lock:
            self.answers.append(answer if keep_payload else replace(answer, payload=None))
        return answer


# --- the business the crowd visits ------------------------------------------------------------


@dataclass(frozen=True)
class SlotInfo:
    slot_id: str
    service_id: str
    mode: str
    capacity: int
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class World:
    business: str
    modes: dict[str, str]
    """Mode by service id."""
    slots: tuple[SlotInfo, ...]

    def slots_of(self, service_id: str) -> list[SlotInfo]:
        return [slot for slot in self.slots if slot.service_id == service_id]

    def slot(self, slot_id: str) -> SlotInfo:
        return next(slot for slot in self.slots if slot.slot_id == slot_id)

    def listing(self) -> str:
        """Staff's listing of the days the world's slots fall on (a day either side)."""
        first = min(slot.starts_at for slot in self.slots) - timedelta(days=1)
        last = max(slot.starts_at for slot in self.slots) + timedelta(days=1)
        return f"/staff/slots?from={first.date().isoformat()}&to={last.date().isoformat()}"


def open_business(client: Client, business: str, rng: random.Random, tag: str) -> World:
    """One fresh service per waiting-list mode, each with one- and two-seat slots weeks
    ahead, so that no cutoff or offer deadline is near."""
    modes: dict[str, str] = {}
    slots: list[SlotInfo] = []
    first_day = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(
        days=30 + rng.randrange(300)
    )
    for number, mode in enumerate(MODES):
        created = client.call(
            "setup",
            "POST",
            "/staff/services",
            {"name": f"Messy {mode} {tag}", "duration_minutes": 60, "waiting_list_mode": mode},
            staff=True,
        )
        assert created.status == 201, created.describe()
        service_id = str(created.payload["services"][0]["service_id"])
        modes[service_id] = mode
        day = first_day + timedelta(days=number)
        wanted = [
            {
                "service_id": service_id,
                "starts_at": (day + timedelta(hours=2 * index)).isoformat(),
                "capacity": rng.choice((1, 1, 2)),
            }
            for index in range(SLOTS_PER_SERVICE)
        ]
        made = client.call("setup", "POST", "/staff/slots", {"slots": wanted}, staff=True)
        assert made.status == 201, made.describe()
        slots.extend(
            SlotInfo(
                slot_id=str(view["slot_id"]),
                service_id=service_id,
                mode=mode,
                capacity=int(view["capacity"]),
                starts_at=datetime.fromisoformat(view["starts_at"]),
                ends_at=datetime.fromisoformat(view["ends_at"]),
            )
            for view in made.payload["slots"]
        )
    return World(business=business, modes=modes, slots=tuple(slots))


# --- the crowd --------------------------------------------------------------------------------


@dataclass
class Customer:
    number: int
    name: str
    email: str | None
    phone: str | None
    language: str | None
    rng: random.Random
    seats: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    """What they believe they hold: booking id and manage token, by slot."""
    manage_tokens: list[str] = field(default_factory=list)
    """Booking links found in their messages."""
    places: dict[str, str] = field(default_factory=dict)
    """Their links to places on lists, with the entry id when they know it ("" when not)."""
    offers: list[str] = field(default_factory=list)
    offers_seen: set[str] = field(default_factory=set)
    inbox_lock: threading.Lock = field(default_factory=threading.Lock)
    """Guards what the postman hands over (links and offers) against their own reading."""

    @property
    def key(self) -> str:
        """How the business knows them: the email address lower-cased, else the phone."""
        return (self.email or "").lower() or (self.phone or "")

    @property
    def who(self) -> str:
        return f"customer {self.number} <{self.key}>"

    def contact(self, *, language: str | None = None, restyled: bool = False) -> dict[str, Any]:
        """Their details as they type them; restyled, the same details written otherwise
        (the address in another case, the phone number with spaces)."""
        body: dict[str, Any] = {"name": self.name}
        if self.email:
            body["email"] = self.email.swapcase() if restyled else self.email
        if self.phone:
            spaced = f"{self.phone[:3]} {self.phone[3:6]} {self.phone[6:8]} {self.phone[8:]}"
            body["phone"] = spaced if restyled and not self.email else self.phone
        chosen = language or self.language
        if chosen:
            body["language"] = chosen
        return body


def make_crowd(seed: int, nonce: str) -> list[Customer]:
    """Email-only customers, some with a phone as well, and some with only a phone. The
    addresses carry the run's nonce, so no two runs of a session share a customer."""
    numbers = random.Random(f"{seed}-{nonce}")
    crowd = []
    for number in range(CUSTOMERS):
        rng = random.Random(f"{seed}-customer-{number}")
        kind = number % 6
        email = None if kind == 5 else f"customer{number}@{nonce}.messy.example"
        phone = f"+479{numbers.randrange(10**7):07d}" if kind >= 4 else None
        crowd.append(
            Customer(
                number=number,
                name=f"Customer {number}",
                email=email,
                phone=phone,
                language=rng.choice(HOME_LANGUAGES),
                rng=rng,
            )
        )
    return crowd


@dataclass(frozen=True)
class Repeat:
    """The same request sent twice by one customer: at once (a double click), or one
    after the other with the details written otherwise."""

    kind: str
    """Either "booking" or "join"."""
    customer: str
    slot_id: str
    answers: tuple[Answer, Answer]
    at_once: bool


@dataclass
class Crowd:
    client: Client
    world: World
    customers: list[Customer]
    pool: ThreadPoolExecutor
    repeats: list[Repeat] = field(default_factory=list)
    left_at: dict[str, datetime] = field(default_factory=dict)
    """When each entry was left through its link, by entry id."""
    lock: threading.Lock = field(default_factory=threading.Lock)

    # --- what customers do --------------------------------------------------------------------

    def live(self, customer: Customer, deadline: float) -> None:
        rng = customer.rng
        time.sleep(rng.uniform(0, ARRIVAL_SECONDS))
        for _ in range(STEPS_PER_CUSTOMER):
            if time.monotonic() >= deadline:
                return
            if customer.offers and rng.random() < 0.7:
                self.answer_offer(customer)
            else:
                [step] = rng.choices([s for s, _ in STEPS], weights=[w for _, w in STEPS])
                step(self, customer)
            time.sleep(min(rng.uniform(*THINK_SECONDS), max(0.0, deadline - time.monotonic())))

    def book(self, customer: Customer) -> None:
        slot = customer.rng.choice(self.world.slots)
        path = f"/businesses/{self.world.business}/slots/{slot.slot_id}/bookings"
        answers = self.send(customer, "booking", slot.slot_id, path)
        for answer in answers:
            self.learn_booking(customer, answer)
        # Told the slot is full, most people wait for it.
        if all(answer.status == 409 for answer in answers) and customer.rng.random() < 0.6:
            self.join(customer, slot)

    def join(self, customer: Customer, slot: SlotInfo | None = None) -> None:
        slot = slot or customer.rng.choice(self.world.slots)
        path = f"/businesses/{self.world.business}/slots/{slot.slot_id}/waiting-list"
        for answer in self.send(customer, "join", slot.slot_id, path):
            self.learn_place(customer, answer)

    def join_while_holding(self, customer: Customer) -> None:
        if customer.seats:
            self.join(customer, self.world.slot(customer.rng.choice(sorted(customer.seats))))
        else:
            self.book(customer)

    def join_window(self, customer: Customer) -> None:
        """Wait for any slot of a service in a window — often while already on the list of
        a slot the window covers."""
        rng = customer.rng
        slots = self.world.slots_of(rng.choice(sorted(self.world.modes)))
        first = rng.randrange(len(slots))
        last = rng.randrange(first, len(slots))
        if rng.random() < 0.6:
            self.join(customer, rng.choice(slots[first : last + 1]))
        language = rng.choice(UNKNOWN_LANGUAGES) if rng.random() < 0.1 else None
        body = customer.contact(language=language) | {
            "starts_from": (
                slots[first].starts_at - timedelta(minutes=rng.choice((0, 30)))
            ).isoformat(),
            "ends_by": (slots[last].ends_at + timedelta(minutes=rng.choice((0, 30)))).isoformat(),
        }
        path = f"/businesses/{self.world.business}/services/{slots[0].service_id}/waiting-list"
        for _ in range(2 if rng.random() < 0.15 else 1):
            self.learn_place(customer, self.client.call(customer.who, "POST", path, body))

    def cancel(self, customer: Customer) -> None:
        tokens = [token for _, token in customer.seats.values() if token]
        with customer.inbox_lock:
            tokens += customer.manage_tokens
        if not tokens:
            self.book(customer)
            return
        token = customer.rng.choice(tokens)
        answer = self.client.call(customer.who, "POST", f"/bookings/{token}/cancel")
        booking_id = answer.field("booking", "booking_id")
        for slot_id, (held, _) in list(customer.seats.items()):
            if held == booking_id:
                del customer.seats[slot_id]

    def leave(self, customer: Customer) -> None:
        with customer.inbox_lock:
            places = sorted(customer.places)
        if not places:
            self.join(customer)
            return
        token = customer.rng.choice(places)
        answer = self.client.call(customer.who, "DELETE", f"/waiting-list/{token}")
        entry_id = answer.field("entry", "entry_id")
        if entry_id:
            with self.lock:
                self.left_at[str(entry_id)] = answer.ended
        with customer.inbox_lock:
            customer.places.pop(token, None)

    def look_at_booking(self, customer: Customer) -> None:
        """Open a booking link from a message, and so learn which slot it holds a seat in."""
        with customer.inbox_lock:
            tokens = list(customer.manage_tokens)
        if not tokens:
            self.join(customer)
            return
        token = customer.rng.choice(tokens)
        answer = self.client.call(customer.who, "GET", f"/bookings/{token}")
        if answer.field("booking", "status") in HOLDING_SEAT:
            customer.seats[str(answer.field("booking", "slot_id"))] = (
                str(answer.field("booking", "booking_id")),
                token,
            )

    def answer_offer(self, customer: Customer) -> None:
        rng = customer.rng
        with customer.inbox_lock:
            token = customer.offers.pop()  # the newest offer is the likeliest still open
        self.client.call(customer.who, "GET", f"/offers/{token}")
        if rng.random() < 0.2:
            self.client.call(customer.who, "POST", f"/offers/{token}/decline")
            return
        path = f"/offers/{token}/accept"
        if rng.random() < 0.15:
            other = self.pool.submit(self.client.call, customer.who, "POST", path)
            answers = [self.client.call(customer.who, "POST", path), other.result()]
        else:
            answers = [self.client.call(customer.who, "POST", path)]
        for answer in answers:
            self.learn_booking(customer, answer)

    # --- how they repeat themselves -----------------------------------------------------------

    def send(self, customer: Customer, kind: str, slot_id: str, path: str) -> tuple[Answer, ...]:
        """Book or join once, twice at once (a double click), twice with the details
        written otherwise, or once in a language no template speaks."""
        rng = customer.rng
        [style] = rng.choices(REPEAT_STYLES, weights=REPEAT_STYLE_WEIGHTS)
        who = customer.who
        if style == "unknown language":
            body = customer.contact(language=rng.choice(UNKNOWN_LANGUAGES))
            return (self.client.call(who, "POST", path, body),)
        if style == "once":
            return (self.client.call(who, "POST", path, customer.contact()),)
        at_once = style == "double click"
        if at_once:
            other = self.pool.submit(self.client.call, who, "POST", path, customer.contact())
            pair = (self.client.call(who, "POST", path, customer.contact()), other.result())
        else:
            first = self.client.call(who, "POST", path, customer.contact())
            pair = (first, self.client.call(who, "POST", path, customer.contact(restyled=True)))
        with self.lock:
            self.repeats.append(Repeat(kind, customer.key, slot_id, pair, at_once))
        return pair

    def learn_booking(self, customer: Customer, answer: Answer) -> None:
        booking_id, slot_id = (
            answer.field("booking", "booking_id"),
            answer.field("booking", "slot_id"),
        )
        if booking_id and slot_id and answer.field("booking", "status") in HOLDING_SEAT:
            token = answer.field("manage_token") or customer.seats.get(str(slot_id), ("", None))[1]
            customer.seats[str(slot_id)] = (str(booking_id), token)

    def learn_place(self, customer: Customer, answer: Answer) -> None:
        token, entry_id = answer.field("token"), answer.field("entry", "entry_id")
        if token and entry_id:
            with customer.inbox_lock:
                customer.places[str(token)] = str(entry_id)

    # --- staff --------------------------------------------------------------------------------

    def staff_work(self, who: str, rng: random.Random, deadline: float) -> None:
        """Staff cancel bookings and mark no-shows, sometimes looking first at who would
        get the seat."""
        for _ in range(STAFF_STEPS):
            if time.monotonic() >= deadline:
                return
            slot = rng.choice(self.world.slots)
            listed = self.client.call(
                who, "GET", f"/staff/slots/{slot.slot_id}/bookings", staff=True
            )
            holding = [b for b in listed.field("bookings") or [] if b["status"] in HOLDING_SEAT]
            if holding:
                base = f"/staff/slots/{slot.slot_id}/bookings/{rng.choice(holding)['booking_id']}"
                if rng.random() < 0.3:
                    self.client.call(who, "GET", f"{base}/release-preview", staff=True)
                if rng.random() < 0.7:
                    reason = rng.choice((None, {"reason": "The stylist is ill."}))
                    self.client.call(who, "POST", f"{base}/cancel", reason, staff=True)
                else:
                    self.client.call(who, "POST", f"{base}/no-show", staff=True)
            pause = rng.uniform(*STAFF_THINK_SECONDS)
            time.sleep(min(pause, max(0.0, deadline - time.monotonic())))

    # --- the postman --------------------------------------------------------------------------

    def deliver_mail(self, stop: threading.Event, already_sent: int) -> None:
        """Read the outbox and hand each customer the links in their messages: offers to
        answer, bookings to manage, places to leave."""
        by_address: dict[str, Customer] = {}
        for customer in self.customers:
            by_address.update({a.lower(): customer for a in (customer.email, customer.phone) if a})
        seen = already_sent
        while not stop.is_set():
            answer = self.client.call("postman", "GET", "/_local/outbox", keep_payload=False)
            messages = answer.field("messages") or []
            for message in messages[seen:]:
                addressee = by_address.get(str(message.get("to", "")).strip().lower())
                if addressee is not None:
                    text = f"{message.get('subject', '')}\n{message.get('body', '')}"
                    self.hand_over(addressee, text)
            seen = max(seen, len(messages))
            stop.wait(POSTMAN_SECONDS)

    @staticmethod
    def hand_over(customer: Customer, text: str) -> None:
        with customer.inbox_lock:
            for token in OFFER_LINK.findall(text):
                if token not in customer.offers_seen:
                    customer.offers_seen.add(token)
                    customer.offers.append(token)
            for token in BOOKING_LINK.findall(text):
                if token not in customer.manage_tokens:
                    customer.manage_tokens.append(token)
            for token in PLACE_LINK.findall(text):
                customer.places.setdefault(token, "")


STEPS: tuple[tuple[Callable[[Crowd, Customer], None], float], ...] = (
    (Crowd.book, 5.0),
    (Crowd.join, 3.0),
    (Crowd.join_window, 2.0),
    (Crowd.join_while_holding, 1.0),
    (Crowd.cancel, 2.5),
    (Crowd.leave, 1.5),
    (Crowd.look_at_booking, 0.5),
)
"""What a customer does next, and how often, when no offer waits in their inbox."""


# --- settling and what is left ----------------------------------------------------------------


@dataclass(frozen=True)
class Snapshot:
    settled: bool
    settle_seconds: float
    slots: dict[str, dict[str, Any]]
    bookings: dict[str, list[dict[str, Any]]]
    entries: dict[str, list[dict[str, Any]]]
    """Each slot's own list, every status."""
    window_entries: dict[str, list[dict[str, Any]]]
    """Each service's window entries, every status."""
    allocations: dict[str, list[dict[str, Any]]]
    held_and_in_flight: dict[str, tuple[int, int]]
    """By slot: seats held for the list, and refill decisions with an offer round in flight."""
    stuck: Answer
    queued: list[dict[str, Any]]
    """Messages still queued, and queued long enough ago that they are not in flight."""
    failed: list[dict[str, Any]]
    dead_letters: list[dict[str, Any]]
    histories: dict[str, list[dict[str, Any]]]
    """The changes of bookings a repeat's answer depends on, by booking id."""


def offer_rounds_in_flight(client: Client, slot_id: str) -> frozenset[str]:
    answer = client.call("settle", "GET", f"/staff/slots/{slot_id}/allocations", staff=True)
    decisions = answer.field("allocations") or []
    return frozenset(d["cause"] for d in decisions if d["outcome"] == "offering")


def held_and_in_flight(client: Client, world: World) -> dict[str, tuple[int, int]]:
    """Each slot's held seats beside its rounds of offers in flight, read until both reads
    of the rounds agree, since a round may end between the reads."""
    counts: dict[str, tuple[int, int]] = {}
    for _ in range(STABLE_READ_ATTEMPTS):
        before = {
            slot.slot_id: offer_rounds_in_flight(client, slot.slot_id) for slot in world.slots
        }
        listed = client.call("settle", "GET", world.listing(), staff=True)
        held = {s["slot_id"]: int(s["held_for_waiting_list"]) for s in listed.field("slots") or []}
        after = {slot.slot_id: offer_rounds_in_flight(client, slot.slot_id) for slot in world.slots}
        counts = {slot_id: (held.get(slot_id, -1), len(after[slot_id])) for slot_id in after}
        if before == after:
            break
    return counts


def is_settled(client: Client, world: World) -> bool:
    """No message waits to be sent, staff see nothing stuck, and every seat held for the
    list is an offer in flight (in automatic mode, none is held)."""
    queued = client.call("settle", "GET", "/staff/messages?status=queued&limit=1", staff=True)
    if not queued.ok or queued.field("messages"):
        return False
    stuck = client.call("settle", "GET", "/staff/stuck", staff=True)
    # Where staff cannot list what is stuck, the seats' own counts still tell.
    if stuck.ok and stuck.field("holds"):
        return False
    return all(held == flying for held, flying in held_and_in_flight(client, world).values())


def read_stuck(client: Client) -> Answer:
    """What staff see stuck, read again while it lists holds, since a round running out
    holds its seat for a moment before the next one is made."""
    answer = client.call("snapshot", "GET", "/staff/stuck", staff=True)
    deadline = time.monotonic() + IN_FLIGHT_SECONDS
    while answer.ok and answer.field("holds") and time.monotonic() < deadline:
        time.sleep(SETTLE_POLL_SECONDS)
        answer = client.call("snapshot", "GET", "/staff/stuck", staff=True)
    return answer


def stale(queued: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The queued messages older than a message in flight."""
    now = datetime.now(UTC)
    return [
        message
        for message in queued
        if now - datetime.fromisoformat(message["queued_at"]) > timedelta(seconds=IN_FLIGHT_SECONDS)
    ]


def all_pages(client: Client, path: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    before = None
    for _ in range(PAGES_READ_AT_MOST):
        page = client.call(
            "snapshot", "GET", path + (f"&before={before}" if before else ""), staff=True
        )
        found.extend(page.field("messages") or [])
        before = page.field("next")
        if not before:
            break
    return found


def settle(client: Client, world: World) -> tuple[bool, float]:
    """Wait, within a bound, until the stack has settled; how long it took."""
    started = time.monotonic()
    while time.monotonic() - started < SETTLE_SECONDS:
        if is_settled(client, world):
            return True, time.monotonic() - started
        time.sleep(SETTLE_POLL_SECONDS)
    return False, time.monotonic() - started


def take_snapshot(
    client: Client, world: World, repeats: Sequence[Repeat], dead_before: int
) -> Snapshot:
    settled, settle_seconds = settle(client, world)
    with ThreadPoolExecutor(max_workers=READERS) as readers:

        def read(paths: dict[str, str], key: str) -> dict[str, Any]:
            """Staff reads, side by side; one that fails ends the run, saying which."""
            answers = readers.map(
                lambda path: client.call("snapshot", "GET", path, staff=True), paths.values()
            )
            found = {}
            for name, answer in zip(paths, answers, strict=True):
                assert answer.ok, answer.describe()
                found[name] = answer.payload[key]
            return found

        slot_ids = [slot.slot_id for slot in world.slots]
        listed = read({"all": world.listing()}, "slots")["all"]
        bookings = read({s: f"/staff/slots/{s}/bookings" for s in slot_ids}, "bookings")
        entries = read({s: f"/staff/slots/{s}/waiting-list" for s in slot_ids}, "entries")
        window_entries = read(
            {s: f"/staff/services/{s}/waiting-list" for s in world.modes}, "entries"
        )
        allocations = read({s: f"/staff/slots/{s}/allocations" for s in slot_ids}, "allocations")
        # When a repeated booking gave up its seat tells whether a second one was fair.
        released = {
            b["booking_id"]: slot_id
            for slot_id, found in bookings.items()
            for b in found
            if b["status"] not in HOLDING_SEAT
        }
        repeated = {
            str(answer.field("booking", "booking_id"))
            for repeat in repeats
            if repeat.kind == "booking"
            for answer in repeat.answers
        }
        histories = read(
            {
                booking_id: f"/staff/slots/{slot_id}/bookings/{booking_id}/history"
                for booking_id, slot_id in released.items()
                if booking_id in repeated
            },
            "history",
        )
    outbox = client.call("snapshot", "GET", "/_local/outbox", keep_payload=False)
    return Snapshot(
        settled=settled,
        settle_seconds=settle_seconds,
        slots={view["slot_id"]: view for view in listed if view["slot_id"] in slot_ids},
        bookings=bookings,
        entries=entries,
        window_entries=window_entries,
        allocations=allocations,
        held_and_in_flight=held_and_in_flight(client, world),
        stuck=read_stuck(client),
        queued=stale(all_pages(client, "/staff/messages?status=queued")),
        failed=all_pages(client, "/staff/messages?status=failed"),
        dead_letters=list(outbox.field("dead_letters") or [])[dead_before:],
        histories=histories,
    )


# --- one run ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class MessyRun:
    seed: int
    world: World
    answers: list[Answer]
    repeats: list[Repeat]
    left_at: dict[str, datetime]
    snapshot: Snapshot
    load_seconds: float

    def says(self, what: str, problems: Iterable[str] = ()) -> str:
        """A failure's message: the seed to replay it, how the run went, then what broke."""
        listed = list(problems)
        shown = "\n  ".join(listed[:15])
        more = f"\n  … and {len(listed) - 15} more" if len(listed) > 15 else ""
        snapshot = self.snapshot
        how = (
            f"{len(self.answers)} requests in {self.load_seconds:.0f} s; "
            + ("settled" if snapshot.settled else "not settled")
            + f" {snapshot.settle_seconds:.0f} s after the crowd stopped"
        )
        return f"[seed {self.seed}; replay with {SEED_VARIABLE}={self.seed}; {how}] {what}" + (
            f"\n  {shown}{more}" if listed else ""
        )

    def booking(self, slot_id: str, booking_id: str) -> dict[str, Any] | None:
        return next(
            (b for b in self.snapshot.bookings.get(slot_id, []) if b["booking_id"] == booking_id),
            None,
        )

    def entry(self, slot_id: str, entry_id: str) -> dict[str, Any] | None:
        return next(
            (e for e in self.snapshot.entries.get(slot_id, []) if e["entry_id"] == entry_id), None
        )


def customer_key(contact: dict[str, Any]) -> str:
    return str(contact.get("email") or "").strip().lower() or str(contact.get("phone") or "")


def profile_body(view: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in view.items() if key != "business_id"}


@pytest.fixture(scope="module", params=_seeds(), ids=lambda seed: f"seed={seed}")
def messy_run(local_stack: RunningStack, request: pytest.FixtureRequest) -> Iterator[MessyRun]:
    seed: int = request.param
    print(f"\nmessy customers: {SEED_VARIABLE}={seed}")
    client = Client(local_stack)
    business = local_stack.exports["BUSINESS"]
    profile = client.call("setup", "GET", "/staff/business", staff=True)
    assert profile.ok, profile.describe()
    controlled = profile_body(profile.payload) | {
        "waiting_list_open": True,
        "offer_window_seconds": OFFER_WINDOW_SECONDS,
        "offer_to_many_count": 0,
        "refill_cutoff_minutes": 0,
        "active_hours": None,
        "max_open_entries": 0,
        "max_offers_per_day": 0,
    }
    changed = client.call("setup", "PUT", "/staff/business", controlled, staff=True)
    assert changed.ok, changed.describe()
    world: World | None = None
    try:
        nonce = uuid4().hex[:8]
        world = open_business(client, business, random.Random(f"{seed}-world"), nonce)
        yield play(client, world, seed, nonce)
    finally:
        if world is not None:
            leave_open_windows(client, world)
        client.call("teardown", "PUT", "/staff/business", profile_body(profile.payload), staff=True)


def play(client: Client, world: World, seed: int, nonce: str) -> MessyRun:
    """The crowd and the staff act until the load's deadline while the postman brings
    their mail; then the stack settles and what is left is read."""
    customers = make_crowd(seed, nonce)
    before = client.call("setup", "GET", "/_local/outbox", keep_payload=False)
    already_sent = len(before.field("messages") or [])
    dead_before = len(before.field("dead_letters") or [])
    with (
        ThreadPoolExecutor(max_workers=CUSTOMERS + STAFF) as workers,
        ThreadPoolExecutor(max_workers=CUSTOMERS) as pool,
    ):
        crowd = Crowd(client, world, customers, pool)
        stop_mail = threading.Event()
        postman = threading.Thread(
            target=crowd.deliver_mail, args=(stop_mail, already_sent), daemon=True
        )
        postman.start()
        started = time.monotonic()
        deadline = started + LOAD_SECONDS
        acting = [workers.submit(crowd.live, customer, deadline) for customer in customers]
        acting += [
            workers.submit(
                crowd.staff_work,
                f"staff {number}",
                random.Random(f"{seed}-staff-{number}"),
                deadline,
            )
            for number in range(STAFF)
        ]
        try:
            for done in acting:
                done.result()
        finally:
            stop_mail.set()
            postman.join(timeout=POSTMAN_SECONDS + 15)
        load_seconds = time.monotonic() - started
    snapshot = take_snapshot(client, world, crowd.repeats, dead_before)
    print(
        f"messy customers: {len(client.answers)} requests in {load_seconds:.1f} s, "
        f"settled: {snapshot.settled} after {snapshot.settle_seconds:.1f} s"
    )
    print(what_was_asked(client.answers))
    return MessyRun(
        seed=seed,
        world=world,
        answers=list(client.answers),
        repeats=list(crowd.repeats),
        left_at=dict(crowd.left_at),
        snapshot=snapshot,
        load_seconds=load_seconds,
    )


ID_IN_PATH = re.compile(r"/[0-9a-f]{16}(?=/|$)")


def what_was_asked(answers: Sequence[Answer]) -> str:
    """Each kind of request with the statuses it got, to see what a run exercised."""
    kinds: dict[str, Counter[int]] = defaultdict(Counter)
    for answer in answers:
        path = ID_IN_PATH.sub("/{id}", LONG_TOKEN.sub("{token}", answer.path.split("?")[0]))
        kinds[f"{answer.method} {path}"][answer.status] += 1
    return "\n".join(
        f"  {kind}: " + ", ".join(f"{status} x{count}" for status, count in sorted(counts.items()))
        for kind, counts in sorted(kinds.items())
    )


def leave_open_windows(client: Client, world: World) -> None:
    """Open window entries keep the business holding freed seats for the list, in any
    slot: leave them, so that the tests after this one find the business as it was."""
    tokens = {
        str(a.field("entry", "entry_id")): str(a.field("token"))
        for a in client.answers
        if a.ok and a.field("token") and a.field("entry", "window")
    }
    paths = []
    for service_id in world.modes:
        listed = client.call(
            "teardown", "GET", f"/staff/services/{service_id}/waiting-list", staff=True
        )
        paths += [
            f"/waiting-list/{tokens[entry['entry_id']]}"
            for entry in listed.field("entries") or []
            if entry["status"] in OPEN_PLACE and entry["entry_id"] in tokens
        ]
    with ThreadPoolExecutor(max_workers=READERS) as leavers:
        list(leavers.map(lambda path: client.call("teardown", "DELETE", path), paths))


# --- the promises -----------------------------------------------------------------------------


def test_every_request_is_answered(messy_run: MessyRun) -> None:
    # The local stack is meant to serve 50 concurrent clients without a reset; this crowd
    # is 38 (customers, staff and the postman).
    unanswered = [a for a in messy_run.answers if a.status == 0]
    assert not unanswered, messy_run.says(
        f"{len(unanswered)} of {len(messy_run.answers)} requests got no answer:",
        (a.describe() for a in unanswered),
    )


def test_no_request_is_answered_with_a_server_error(messy_run: MessyRun) -> None:
    broken = [a for a in messy_run.answers if a.status >= 500]
    assert not broken, messy_run.says(
        f"{len(broken)} of {len(messy_run.answers)} requests got a 5xx:",
        (a.describe() for a in broken),
    )


def test_no_seat_is_held_without_a_pending_decision(messy_run: MessyRun) -> None:
    snapshot = messy_run.snapshot
    stuck = snapshot.stuck
    status = stuck.status
    assert status == 200, messy_run.says(f"staff cannot see what is stuck: {stuck.describe()}")
    holds = stuck.field("holds") or []
    assert holds == [], messy_run.says(
        f"seats still held with no decision {snapshot.settle_seconds:.0f} s after the crowd "
        "stopped:",
        (json.dumps(hold) for hold in holds),
    )


def test_every_refill_decided_by_its_rules_and_none_had_to_give_up(messy_run: MessyRun) -> None:
    # A refill that cannot write its decision puts the seat back on sale rather than hold it
    # for ever; under messy customers that must never be needed.
    gave_up = [
        f"slot {slot_id}: {decision['cause']}: {decision['reason']}"
        for slot_id, decisions in messy_run.snapshot.allocations.items()
        for decision in decisions
        if STUCK in (decision.get("reason") or "")
    ]
    assert not gave_up, messy_run.says("refills that could not decide:", gave_up)


def test_every_held_seat_is_an_offer_in_flight_and_automatic_slots_hold_none(
    messy_run: MessyRun,
) -> None:
    # In the modes that offer, a held seat waits for the answer to its round of offers;
    # in automatic mode nothing is left to wait for once the refill has run.
    problems: list[str] = []
    for slot in messy_run.world.slots:
        held, in_flight = messy_run.snapshot.held_and_in_flight[slot.slot_id]
        decisions = messy_run.snapshot.allocations[slot.slot_id]
        expected = 0 if slot.mode == "automatic" else in_flight
        if held != expected:
            problems.append(
                f"slot {slot.slot_id} ({slot.mode}, capacity {slot.capacity}): "
                f"{held} seat(s) held for the list, {in_flight} offer round(s) in flight; "
                f"decisions: {_short(json.dumps(decisions), 400)}"
            )
    assert not problems, messy_run.says(
        f"held seats without an offer in flight, {messy_run.snapshot.settle_seconds:.0f} s after "
        "the crowd stopped:",
        problems,
    )


def test_no_slot_gives_more_seats_than_it_has_and_its_count_agrees_with_its_bookings(
    messy_run: MessyRun,
) -> None:
    problems: list[str] = []
    for slot in messy_run.world.slots:
        view = messy_run.snapshot.slots[slot.slot_id]
        holding = [
            b for b in messy_run.snapshot.bookings[slot.slot_id] if b["status"] in HOLDING_SEAT
        ]
        held = int(view["held_for_waiting_list"])
        taken = int(view["capacity"]) - int(view["free_seats"])
        if len(holding) + held > int(view["capacity"]) or taken != len(holding) + held:
            problems.append(
                f"slot {slot.slot_id} ({slot.mode}): capacity {view['capacity']}, "
                f"{view['free_seats']} free, {held} held, but {len(holding)} booking(s) hold a "
                f"seat: {[(b['booking_id'], customer_key(b['customer'])) for b in holding]}"
            )
    assert not problems, messy_run.says("seats and bookings disagree:", problems)


def test_no_customer_holds_two_seats_in_one_slot(messy_run: MessyRun) -> None:
    problems: list[str] = []
    for slot in messy_run.world.slots:
        by_customer: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for booking in messy_run.snapshot.bookings[slot.slot_id]:
            if booking["status"] in HOLDING_SEAT:
                by_customer[customer_key(booking["customer"])].append(booking)
        problems.extend(
            f"slot {slot.slot_id} ({slot.mode}): {key} holds "
            + ", ".join(f"{b['booking_id']} ({b['source']}, {b['status']})" for b in found)
            for key, found in by_customer.items()
            if len(found) > 1
        )
    assert not problems, messy_run.says("customers holding more than one seat in a slot:", problems)


def test_no_customer_has_two_open_places_on_one_list_or_two_offers_in_one_round(
    messy_run: MessyRun,
) -> None:
    snapshot = messy_run.snapshot
    problems: list[str] = []
    for slot in messy_run.world.slots:
        by_customer: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for entry in snapshot.entries[slot.slot_id]:
            if entry["status"] in OPEN_PLACE:
                by_customer[customer_key(entry["customer"])].append(entry)
        problems.extend(
            f"slot {slot.slot_id} ({slot.mode}): {key} has open places "
            + ", ".join(f"{e['entry_id']} ({e['status']})" for e in found)
            for key, found in by_customer.items()
            if len(found) > 1
        )
    # An offer to many has one round: whoever it names twice was chosen twice in it.
    owner = {
        entry["entry_id"]: customer_key(entry["customer"])
        for entries in (*snapshot.entries.values(), *snapshot.window_entries.values())
        for entry in entries
    }
    for slot in messy_run.world.slots:
        if slot.mode != "offer_to_many":
            continue
        for decision in snapshot.allocations[slot.slot_id]:
            asked = [owner.get(entry_id, entry_id) for entry_id in decision["offered_to"]]
            twice = sorted({key for key in asked if asked.count(key) > 1})
            if twice:
                problems.append(
                    f"slot {slot.slot_id} (offer_to_many): the round for {decision['cause']} "
                    f"({decision['outcome']}) asked {', '.join(twice)} twice: "
                    f"entries {decision['offered_to']}"
                )
    assert not problems, messy_run.says("customers with more than one place at once:", problems)


def released_by(run: MessyRun, slot_id: str, booking_id: str, moment: datetime) -> bool:
    """Whether the booking had given up its seat by `moment` (its history says when)."""
    booking = run.booking(slot_id, booking_id)
    if booking is None or booking["status"] in HOLDING_SEAT:
        return False
    return any(
        change["to"] not in HOLDING_SEAT and datetime.fromisoformat(change["at"]) <= moment
        for change in run.snapshot.histories.get(booking_id, [])
    )


def closed_by(run: MessyRun, slot_id: str, entry_id: str, moment: datetime) -> bool:
    """Whether the entry could have been closed by `moment`: only an entry still open, or
    one whose booking or leaving came later, was surely open then."""
    entry = run.entry(slot_id, entry_id)
    if entry is None or entry["status"] in OPEN_PLACE:
        return False
    if entry["status"] == "booked" and entry["booking_id"]:
        booking = next(
            (
                b
                for bookings in run.snapshot.bookings.values()
                for b in bookings
                if b["booking_id"] == entry["booking_id"]
            ),
            None,
        )
        return booking is None or datetime.fromisoformat(booking["created_at"]) <= moment
    left = run.left_at.get(entry_id)
    return left is None or left <= moment


def repeat_problem(run: MessyRun, repeat: Repeat) -> str | None:
    """What is wrong with the answers to a request sent twice, if anything. The first
    answers 201, the repeat 200 with the same booking or entry — unless that booking gave
    up its seat, or that entry was closed, before the repeat was answered."""
    first, second = repeat.answers
    if 0 in (first.status, second.status):
        return None  # unanswered: told by the test that every request is answered
    noun, id_field = (
        ("booking", "booking_id") if repeat.kind == "booking" else ("entry", "entry_id")
    )
    given = [a for a in repeat.answers if a.ok]
    ids = sorted({str(a.field(noun, id_field)) for a in given})
    last_answered = max(first.ended, second.ended)

    def gone(item_id: str) -> bool:
        if repeat.kind == "booking":
            return released_by(run, repeat.slot_id, item_id, last_answered)
        return closed_by(run, repeat.slot_id, item_id, last_answered)

    if len(ids) > 1 and not any(gone(item_id) for item_id in ids):
        return f"two {noun}s {ids} for one customer"
    if sum(a.status == 201 for a in given) > 1:
        return f"both answered 201 for one {noun}: the first 201, the repeat 200"
    # A slot with a free seat sends a customer to book it rather than wait.
    sent_to_book = repeat.kind == "join" and second.status == 409 and "free seat" in second.message
    if not repeat.at_once and first.ok and not second.ok and not sent_to_book and not gone(ids[0]):
        return f"refused the repeat though the customer already had {noun} {ids[0]}"
    return None


def test_a_repeated_booking_or_join_answers_with_what_the_customer_already_has(
    messy_run: MessyRun,
) -> None:
    problems: list[str] = []
    for repeat in messy_run.repeats:
        problem = repeat_problem(messy_run, repeat)
        if problem:
            how = "at once" if repeat.at_once else "one after the other"
            problems.append(
                f"{repeat.kind} of slot {repeat.slot_id} by {repeat.customer}, sent twice {how}: "
                f"{problem}\n    1st: {repeat.answers[0].describe()}"
                f"\n    2nd: {repeat.answers[1].describe()}"
            )
    assert not problems, messy_run.says(
        f"{len(problems)} of {len(messy_run.repeats)} repeated requests were not answered with "
        "what the customer already had:",
        problems,
    )


def test_an_unknown_language_is_refused_at_the_door_and_a_known_one_in_any_case_is_accepted(
    messy_run: MessyRun,
) -> None:
    problems: list[str] = []
    tried = 0
    for answer in messy_run.answers:
        language = answer.body.get("language") if isinstance(answer.body, dict) else None
        if answer.status == 0:
            continue  # unanswered: told by the test that every request is answered
        refused_for_it = answer.status == 400 and "language" in answer.message
        if language in UNKNOWN_LANGUAGES:
            tried += 1
            if not refused_for_it:
                problems.append(
                    f"{language!r} not refused with a 400 naming it: {answer.describe()}"
                )
        elif language in KNOWN_LANGUAGES_ODDLY_WRITTEN:
            tried += 1
            if refused_for_it:
                problems.append(f"{language!r} refused: {answer.describe()}")
    assert tried, messy_run.says("no request tried an odd language")
    assert not problems, messy_run.says(
        f"{len(problems)} of {tried} requests in odd languages were answered wrongly:", problems
    )


def test_every_message_is_sent_or_failed_with_a_reason_and_no_stream_record_is_parked(
    messy_run: MessyRun,
) -> None:
    snapshot = messy_run.snapshot
    # Parked records first: they are usually why messages are still queued or seats held.
    parked: dict[str, list[str]] = defaultdict(list)
    for letter in snapshot.dead_letters:
        cause = f"{letter.get('function')}: {failure_of(str(letter.get('reason', '')))}"
        parked[cause].append(parked_item(letter))
    problems = [
        f"{len(items)} stream record(s) parked by {cause}, about: {', '.join(sorted(set(items)))}"
        for cause, items in parked.items()
    ]
    problems += [
        f"still queued: {m['message_type']} by {m['channel']} to {m['recipient']}, queued at "
        f"{m['queued_at']}, {m['attempts']} attempt(s), last error {m['last_error']!r}"
        for m in snapshot.queued
    ]
    problems += [
        f"failed without a reason: {m['message_id']} to {m['recipient']}"
        for m in snapshot.failed
        if not m.get("failure")
    ]
    assert not problems, messy_run.says(
        f"{len(snapshot.dead_letters)} stream record(s) parked, {len(snapshot.queued)} "
        "message(s) still queued, "
        f"{sum(not m.get('failure') for m in snapshot.failed)} failed without a reason:",
        problems,
    )


EXCEPTION_LINE = re.compile(r"^[A-Za-z_][\w.]*(?:Error|Exception): .+$", re.MULTILINE)


def parked_item(letter: dict[str, Any]) -> str:
    """What a parked record was about: a message's type and language, a booking's status
    and its slot's mode."""
    image = letter.get("payload", {}).get("dynamodb", {}).get("NewImage", {})

    def text(name: str, within: dict[str, Any] = image) -> str | None:
        value = within.get(name, {}).get("S")
        return None if value is None else str(value)

    if text("message_type"):
        return f"{text('message_type')} in {text('language') or 'the business language'}"
    mode = text("waiting_list_mode", image.get("slot", {}).get("M", {}))
    return f"{text('kind') or 'item'} {text('status') or ''} ({mode or 'business mode'})"


def failure_of(traceback: str) -> str:
    """A parked record's reason in a line: the first exception raised and the last."""
    raised = EXCEPTION_LINE.findall(traceback) or [traceback.strip()[-200:]]
    said = raised[0] if raised[0] == raised[-1] else f"{raised[0]} -> {raised[-1]}"
    return _short(said, 300)
