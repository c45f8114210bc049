"""Over the API: staff switch messages off, scope workflows to services and locations, send
to given addresses, and write, preview and reset their own texts; customers hear when they
join or leave a waiting list."""

from __future__ import annotations

from typing import Any

from tests.integration.conftest import Api, Business
from tests.support.aws import Streams, sent_about, sent_messages

CONFIRMED = "default-booking_confirmed"
EMAIL_TEXT = "/staff/templates/booking_confirmed/email/en"


def _prefers_both(salon: Business) -> None:
    answer = salon.staff(
        "PUT",
        "/staff/business",
        {"name": "Salon A", "time_zone": "Europe/Oslo", "message_channels": "both"},
    )
    assert answer.status == 200, answer.body


def _default_rule(salon: Business, **changes: Any) -> dict[str, Any]:
    rules = salon.staff("GET", "/staff/workflows").body["workflows"]
    rule = next(r for r in rules if r["workflow_id"] == CONFIRMED)
    return {
        "name": rule["name"],
        "trigger": rule["trigger"],
        "channel": rule["channel"],
        "recipients": rule["recipients"],
        **changes,
    }


def _desk_rule(salon: Business, **fields: Any) -> dict[str, Any]:
    body = {
        "name": "Tell the front desk",
        "trigger": "booking_confirmed",
        "channel": "email",
        "addresses": ["desk@example.com"],
        **fields,
    }
    answer = salon.staff("POST", "/staff/workflows", body)
    assert answer.status == 201, answer.body
    return dict(answer.body["workflow"])


def _to(address: str) -> list[str]:
    return [m.subject or m.body for m in sent_messages() if m.to == address]


def test_every_message_type_has_a_default_workflow_switched_on(salon: Business) -> None:
    rules = salon.staff("GET", "/staff/workflows").body["workflows"]
    by_id = {r["workflow_id"]: r for r in rules}
    assert by_id[CONFIRMED]["recipients"] == ["customer"]
    assert by_id[CONFIRMED]["channel"] == "preference"
    assert by_id["default-slot_available"]["recipients"] == ["staff"]
    assert by_id["default-waiting_list_joined"]["enabled"] is True
    assert all(r["default"] and r["enabled"] for r in rules)


def test_a_type_switched_off_for_sms_is_only_emailed(salon: Business, streams: Streams) -> None:
    answer = salon.staff(
        "PUT", f"/staff/workflows/{CONFIRMED}", _default_rule(salon, channel="email")
    )
    assert answer.status == 200, answer.body
    _prefers_both(salon)  # changing the profile keeps the rules
    slot = salon.add_slot(capacity=2)

    salon.book(slot, "Ada", email="ada@example.com", phone="+4791234567")
    streams.settle()

    assert [(m.channel, m.to) for m in sent_messages()] == [("email", "ada@example.com")]


def test_a_type_switched_off_sends_nothing_and_switched_on_again_sends(
    salon: Business, streams: Streams
) -> None:
    _prefers_both(salon)
    off = salon.staff("PATCH", f"/staff/workflows/{CONFIRMED}", {"enabled": False})
    assert off.status == 200 and off.body["workflow"]["enabled"] is False
    slot = salon.add_slot(capacity=2)

    salon.book(slot, "Ada", email="ada@example.com", phone="+4791234567")
    streams.settle()
    assert sent_messages() == []

    restored = salon.staff("DELETE", f"/staff/workflows/{CONFIRMED}")
    assert restored.status == 200 and restored.body["restored"]["enabled"] is True
    salon.book(slot, "Bo", email="bo@example.com")
    streams.settle()
    assert [m.to for m in sent_messages()] == ["bo@example.com"]


def test_a_workflow_scoped_to_a_service_fires_for_its_slots_and_not_for_others(
    salon: Business, streams: Streams
) -> None:
    colour = salon.staff("POST", "/staff/services", {"name": "Colour", "duration_minutes": 60})
    colour_id = colour.body["services"][0]["service_id"]
    _desk_rule(salon, scope={"services": [salon.service_id]})
    haircut_slot = salon.add_slot(capacity=2)
    colour_slot = salon.add_slot(capacity=2, service_id=colour_id)

    salon.book(haircut_slot, "Ada", email="ada@example.com")
    salon.book(colour_slot, "Bo", email="bo@example.com")
    streams.settle()

    [told] = _to("desk@example.com")
    assert "Haircut" in told
    assert len(sent_about("Confirmed: Colour")) == 1  # Bo still hears himself


def test_a_workflow_scoped_to_a_location_fires_for_its_slots_and_not_for_others(
    salon: Business, streams: Streams
) -> None:
    _desk_rule(salon, scope={"locations": ["Storgata 12"]})
    storgata = salon.add_slot(capacity=2, location="Storgata 12")
    torget = salon.add_slot(capacity=2, location="Torget 1")

    salon.book(torget, "Bo", email="bo@example.com")
    salon.book(storgata, "Ada", email="ada@example.com")
    streams.settle()

    assert len(_to("desk@example.com")) == 1
    assert len(_to("ada@example.com")) == len(_to("bo@example.com")) == 1


def test_a_workflow_to_a_given_number_texts_it_in_the_business_language(
    salon: Business, streams: Streams
) -> None:
    _desk_rule(salon, channel="sms", addresses=["+47 912 34 000"], trigger="waiting_list_joined")
    slot = salon.add_slot(capacity=1)
    salon.book(slot, "Ada", email="ada@example.com")

    salon.join(slot, "Bo", email="bo@example.com", language="fr")
    streams.settle()

    [text] = _to("+4791234000")
    assert "number 1 on the waiting list" in text
    [french] = _to("bo@example.com")
    assert french.startswith("Vous êtes sur la liste d\u2019attente")


def test_a_workflow_that_makes_no_sense_is_refused_naming_the_field(salon: Business) -> None:
    wrong_channel = salon.staff(
        "POST",
        "/staff/workflows",
        {"name": "x", "trigger": "booking_confirmed", "channel": "sms", "addresses": ["a@b.no"]},
    )
    assert wrong_channel.status == 400
    assert wrong_channel.body["Message"].startswith("addresses:")
    unknown = salon.staff(
        "POST", "/staff/workflows", {"name": "x", "trigger": "party", "recipients": ["customer"]}
    )
    assert unknown.status == 400 and unknown.body["Message"].startswith("trigger:")
    no_service = salon.staff(
        "POST",
        "/staff/workflows",
        {"name": "x", "trigger": "booking_confirmed", "recipients": ["customer"]}
        | {"scope": {"services": ["nope"]}},
    )
    assert no_service.status == 400 and "scope.services" in no_service.body["Message"]
    assert salon.staff("PUT", "/staff/workflows/nope", _default_rule(salon)).status == 404


def test_a_business_removes_its_own_workflow(salon: Business) -> None:
    rule = _desk_rule(salon)
    gone = salon.staff("DELETE", f"/staff/workflows/{rule['workflow_id']}")
    assert gone.status == 200 and gone.body["restored"] is None
    ids = [r["workflow_id"] for r in salon.staff("GET", "/staff/workflows").body["workflows"]]
    assert rule["workflow_id"] not in ids


def test_customers_are_told_when_they_join_and_when_they_leave_the_waiting_list(
    api: Api, salon: Business, streams: Streams
) -> None:
    slot = salon.add_slot(capacity=1)
    salon.book(slot, "Ada", email="ada@example.com")

    joined = salon.join(slot, "Bo", email="bo@example.com")
    streams.settle()
    [welcome] = sent_about("You're on the waiting list")
    assert welcome.to == "bo@example.com"
    assert "number 1 in line" in welcome.body
    assert joined.body["leave_url"] in welcome.body

    left = api.call("DELETE", f"/waiting-list/{joined.body['token']}")
    assert left.status == 200, left.body
    streams.settle()
    [goodbye] = sent_about("You have left the waiting list")
    assert goodbye.to == "bo@example.com"


def test_a_saved_text_is_previewed_and_then_sent_instead_of_the_standard_one(
    salon: Business, streams: Streams
) -> None:
    text = {
        "subject": "See you, {{ customer_name }}!",
        "text": "{{ service_name }} on {{ starts_at_date }} at {{ starts_at_time }}.",
        "html": "<p>{{ service_name }} for <b>{{ customer_name }}</b></p>",
    }
    saved = salon.staff("PUT", EMAIL_TEXT, text)
    assert saved.status == 200, saved.body
    assert saved.body["template"]["version"] == 1

    preview = salon.staff(
        "POST",
        "/staff/templates/preview",
        {"message_type": "booking_confirmed", "channel": "email", "language": "en"},
    )
    assert preview.status == 200, preview.body
    assert preview.body["preview"]["subject"] == "See you, Ada Lovelace!"
    assert preview.body["preview"]["text"] == "Haircut on Friday, March 1, 2030 at 10:00\u202fAM."
    _prefers_both(salon)  # changing the profile keeps the text

    slot = salon.add_slot(capacity=1)
    salon.book(slot, "<b>Ada</b>", email="ada@example.com")
    streams.settle()
    [sent] = _to("ada@example.com")
    assert sent == "See you, <b>Ada</b>!"
    [email] = sent_messages()
    assert "&lt;b&gt;Ada&lt;/b&gt;" in email.body  # moto keeps the HTML body


def test_a_text_in_the_request_is_previewed_in_the_chosen_language_without_being_saved(
    salon: Business,
) -> None:
    preview = salon.staff(
        "POST",
        "/staff/templates/preview",
        {
            "message_type": "offer_made",
            "channel": "sms",
            "language": "de",
            "template": {"text": "Bis {{ expires_at_date }}: {{ accept_url }}"},
        },
    )
    assert preview.status == 200, preview.body
    assert preview.body["preview"]["text"].startswith("Bis Donnerstag, 28. Februar 2030:")
    assert salon.staff("GET", "/staff/templates").body["templates"] == []


def test_a_text_with_an_unknown_variable_or_a_sandbox_escape_is_refused_and_not_saved(
    salon: Business,
) -> None:
    unknown = salon.staff("PUT", EMAIL_TEXT, {"subject": "Hi", "text": "{{ door_code }}"})
    assert unknown.status == 400
    assert unknown.body["Message"].startswith("text: unknown variable 'door_code'")

    escape = salon.staff(
        "PUT", EMAIL_TEXT, {"subject": "{{ ''.__class__.__mro__ }}", "text": "Hello"}
    )
    assert escape.status == 400
    assert escape.body["Message"].startswith("subject: line 1: '__mro__' is not allowed")

    broken = salon.staff("PUT", EMAIL_TEXT, {"subject": "Hi", "text": "{% if staff %}"})
    assert broken.status == 400 and broken.body["Message"].startswith("text: line 1:")

    no_subject = salon.staff("PUT", EMAIL_TEXT, {"text": "Hello"})
    assert no_subject.status == 400 and no_subject.body["Message"].startswith("subject:")

    assert salon.staff("GET", "/staff/templates").body["templates"] == []


def test_resetting_a_text_goes_back_to_the_standard_one(salon: Business, streams: Streams) -> None:
    salon.staff("PUT", EMAIL_TEXT, {"subject": "Custom!", "text": "Custom."})
    listed = salon.staff("GET", "/staff/templates").body
    assert [t["version"] for t in listed["templates"]] == [1]
    assert "position" in listed["variables"]["waiting_list_joined"]

    assert salon.staff("DELETE", EMAIL_TEXT).status == 200
    assert salon.staff("DELETE", EMAIL_TEXT).status == 404
    slot = salon.add_slot(capacity=1)
    salon.book(slot, "Ada", email="ada@example.com")
    streams.settle()
    [sent] = _to("ada@example.com")
    assert sent.startswith("Confirmed: Haircut")


def test_a_text_for_an_unknown_type_or_channel_is_refused_naming_it(salon: Business) -> None:
    wrong_type = salon.staff("PUT", "/staff/templates/party/email/en", {"text": "x"})
    assert wrong_type.status == 400 and wrong_type.body["Message"].startswith("message_type:")
    wrong_channel = salon.staff("PUT", "/staff/templates/booking_confirmed/fax/en", {"text": "x"})
    assert wrong_channel.status == 400 and wrong_channel.body["Message"].startswith("channel:")
