"""Messages over the API: reminder lead times set with the profile, confirmations with a
calendar file, texts to E.164 numbers, and each message's state for staff to see."""

from __future__ import annotations

from urllib.parse import quote

from chalice.test import Client

from tests.integration.conftest import Api, Business, set_up_business
from tests.support.aws import Streams, sent_messages

PROFILE = {"name": "Salon A", "time_zone": "Europe/Oslo", "language": "en"}


def test_reminder_lead_times_are_set_with_the_profile_and_default_to_a_day(
    salon: Business,
) -> None:
    assert salon.staff("GET", "/staff/business").body["reminder_lead_times"] == [1440]

    answer = salon.staff("PUT", "/staff/business", {**PROFILE, "reminder_lead_times": [120, 1440]})
    assert answer.status == 200, answer.body
    assert answer.body["reminder_lead_times"] == [1440, 120]

    answer = salon.staff("PUT", "/staff/business", {**PROFILE, "reminder_lead_times": []})
    assert answer.body["reminder_lead_times"] == []


def test_bad_reminder_lead_times_are_refused_naming_the_field(salon: Business) -> None:
    for bad in ([1440, 1440], [1], [60] * 6, "1440"):
        answer = salon.staff("PUT", "/staff/business", {**PROFILE, "reminder_lead_times": bad})
        assert answer.status == 400, bad
        assert "reminder_lead_times" in answer.body["Message"]


def test_a_confirmation_email_carries_the_booking_as_a_calendar_event(
    salon: Business, streams: Streams
) -> None:
    slot_id = salon.add_slot()
    booking = salon.book(slot_id, "Ada", email="ada@example.com").body["booking"]
    streams.settle()

    [email] = sent_messages()
    assert email.to == "ada@example.com"
    assert email.subject and email.subject.startswith("Confirmed")
    calendar = email.attachments["booking.ics"]
    assert f"UID:{booking['booking_id']}@" in calendar
    assert "DTSTART:" in calendar and "SUMMARY:Haircut\\, Salon A" in calendar.replace("\r\n ", "")


def test_a_customer_who_left_only_a_phone_is_texted_at_its_e164_form(
    salon: Business, streams: Streams
) -> None:
    slot_id = salon.add_slot()
    assert salon.book(slot_id, "Bo", phone="+47 912 34 567").status == 201
    streams.settle()

    [text] = sent_messages()
    assert (text.channel, text.to) == ("sms", "+4791234567")


def test_staff_see_each_message_with_its_state_newest_first(
    api: Api, salon: Business, streams: Streams
) -> None:
    slot_id = salon.add_slot(capacity=2)
    salon.book(slot_id, "Ada", email="ada@example.com")
    salon.book(slot_id, "Bo", phone="+4791234567")
    queued = salon.staff("GET", "/staff/messages?status=queued").body["messages"]
    assert len(queued) == 2
    streams.settle()

    listed = salon.staff("GET", "/staff/messages").body["messages"]
    assert [(m["channel"], m["recipient"]) for m in listed] == [
        ("sms", "+4791234567"),
        ("email", "ada@example.com"),
    ]
    assert all(m["status"] == "sent" and m["attempts"] == 1 for m in listed)
    assert salon.staff("GET", "/staff/messages?status=failed").body["messages"] == []
    assert salon.staff("GET", "/staff/messages?status=sent").body["messages"] == listed
    assert salon.staff("GET", "/staff/messages?status=lost").status == 400

    other = set_up_business(api, "salon-b", "Salon B")
    assert other.staff("GET", "/staff/messages").body["messages"] == []


def test_staff_page_through_the_messages_newest_first(salon: Business, streams: Streams) -> None:
    slot_id = salon.add_slot(capacity=3)
    for name in ("Ada", "Bo", "Cy"):
        salon.book(slot_id, name, email=f"{name.lower()}@example.com")
    streams.settle()
    everything = salon.staff("GET", "/staff/messages").body
    assert everything["next"] is None
    newest_first = [m["recipient"] for m in everything["messages"]]
    assert newest_first == ["cy@example.com", "bo@example.com", "ada@example.com"]

    first = salon.staff("GET", "/staff/messages?limit=2").body
    second = salon.staff("GET", f"/staff/messages?limit=2&before={quote(first['next'])}").body

    assert [m["recipient"] for m in first["messages"]] == newest_first[:2]
    assert [m["recipient"] for m in second["messages"]] == newest_first[2:]
    assert second["next"] is None
    sent = salon.staff("GET", f"/staff/messages?status=sent&limit=1&before={quote(first['next'])}")
    assert [m["recipient"] for m in sent.body["messages"]] == newest_first[2:]


def test_a_bad_page_is_refused_naming_the_parameter(salon: Business) -> None:
    for query, field in (("limit=0", "limit"), ("limit=101", "limit"), ("limit=ten", "limit")):
        answer = salon.staff("GET", f"/staff/messages?{query}")
        assert answer.status == 400 and field in answer.body["Message"], query
    answer = salon.staff("GET", "/staff/messages?before=yesterday")
    assert answer.status == 400 and "before" in answer.body["Message"]


def test_the_reminder_sweep_runs_as_a_scheduled_function(client: Client, salon: Business) -> None:
    event = client.events.generate_cw_event(
        source="aws.events", detail_type="Scheduled Event", detail={}, resources=[]
    )
    assert client.lambda_.invoke("send_due_reminders", event).payload == {"reminded": 0}
