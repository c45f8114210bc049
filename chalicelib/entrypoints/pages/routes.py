"""The pages' routes: the booking site (/s, a business's services and times, and the forms
to book, join a waiting list or wait for a window), server-rendered HTML for the links in
messages (/o offer, /b booking, /w waiting-list place) and the staff board. Each route only
hands the request over to site_forms.py, customer.py or board.py, imported on the first
page: the API's cold start never renders one."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from chalice import Blueprint, Response

from chalicelib.entrypoints.http.documented import CALENDAR, FORM, page

if TYPE_CHECKING:
    from chalicelib.entrypoints.pages.board import BoardPages
    from chalicelib.entrypoints.pages.customer import CustomerPages
    from chalicelib.entrypoints.pages.forms import Page, PageRequest
    from chalicelib.entrypoints.pages.front_desk import FrontDesk
    from chalicelib.entrypoints.pages.site_forms import BookingSite

pages = Blueprint(__name__)
route = pages.route
FORMS = [FORM]


def _serve(
    view: Callable[[PageRequest], Page], built: CustomerPages | BoardPages | BookingSite
) -> Response:
    from chalicelib.entrypoints.pages.forms import read_request

    request = pages.current_request
    page_request = read_request(
        request.method, request.headers, request.query_params, request.raw_body
    )
    answer = built.guarded(lambda: view(page_request), page_request)
    return Response(body=answer.body, status_code=answer.status, headers=answer.headers)


def _customer(view: Callable[[CustomerPages, PageRequest], Page]) -> Response:
    from chalicelib.entrypoints.pages.customer import customer_pages

    built = customer_pages()
    return _serve(lambda request: view(built, request), built)


def _board(view: Callable[[BoardPages, PageRequest], Page]) -> Response:
    from chalicelib.entrypoints.pages.board import board_pages

    built = board_pages()
    return _serve(lambda request: view(built, request), built)


def _site(view: Callable[[BookingSite, PageRequest], Page]) -> Response:
    from chalicelib.entrypoints.pages.site_forms import booking_site

    built = booking_site()
    return _serve(lambda request: view(built, request), built)


# --- the booking site ------------------------------------------------------------------------

SITE_SLOT = "/s/{business_id}/{service_id}/{slot_id}"


@route("/s/{business_id}", methods=["GET"])
@page("Page: a business's services, to pick one (?lang= to choose the language)")
def site_services(business_id: str) -> Response:
    return _site(lambda built, request: built.services_page(business_id, request))


@route("/s/{business_id}/{service_id}", methods=["GET"])
@page("Page: a week of a service's times (?week=YYYY-MM-DD, ?staff=, ?location=, ?lang=)")
def site_week(business_id: str, service_id: str) -> Response:
    return _site(lambda built, request: built.week(business_id, service_id, request))


@route(f"{SITE_SLOT}/book", methods=["GET"])
@page("Page: the form to book a time")
def site_book_form(business_id: str, service_id: str, slot_id: str) -> Response:
    return _site(lambda built, r: built.book_form(business_id, service_id, slot_id, r))


@route(f"{SITE_SLOT}/book", methods=["POST"], content_types=FORMS)
@page("Page form: book the time (then see the booking and its link)", refusals=(400, 403, 404, 409))
def site_book(business_id: str, service_id: str, slot_id: str) -> Response:
    return _site(lambda built, r: built.book(business_id, service_id, slot_id, r))


@route(f"{SITE_SLOT}/join", methods=["GET"])
@page("Page: what a place on a full time's waiting list is, and the form to join it")
def site_join_form(business_id: str, service_id: str, slot_id: str) -> Response:
    return _site(lambda built, r: built.join_form(business_id, service_id, slot_id, r))


@route(f"{SITE_SLOT}/join", methods=["POST"], content_types=FORMS)
@page("Page form: join the waiting list (then see the place)", refusals=(400, 403, 404, 409))
def site_join(business_id: str, service_id: str, slot_id: str) -> Response:
    return _site(lambda built, r: built.join(business_id, service_id, slot_id, r))


@route("/s/{business_id}/{service_id}/window", methods=["GET"])
@page("Page: the form to wait for any time of a service between two days")
def site_window_form(business_id: str, service_id: str) -> Response:
    return _site(lambda built, request: built.window_form(business_id, service_id, request))


@route("/s/{business_id}/{service_id}/window", methods=["POST"], content_types=FORMS)
@page("Page form: wait for any time in the window", refusals=(400, 403, 404, 409))
def site_window(business_id: str, service_id: str) -> Response:
    return _site(lambda built, request: built.join_window(business_id, service_id, request))


@route("/s/{business_id}/booked/{token}", methods=["GET"])
@page("Page: a booking just made, with its link, calendar file and earlier-time request")
def site_booked(business_id: str, token: str) -> Response:
    return _site(lambda built, request: built.booked(business_id, token, request))


@route("/s/{business_id}/joined/{token}", methods=["GET"])
@page("Page: a place on a waiting list just taken, with its position and link")
def site_joined(business_id: str, token: str) -> Response:
    return _site(lambda built, request: built.joined(business_id, token, request))


# --- customers -------------------------------------------------------------------------------


@route("/o/{token}", methods=["GET"])
@page("Page: an offer of a seat, with accept and decline")
def offer_page(token: str) -> Response:
    return _customer(lambda built, request: built.offer(token, request))


@route("/o/{token}/accept", methods=["POST"], content_types=FORMS)
@page("Page form: accept the offer", refusals=(403, 404, 409))
def offer_page_accept(token: str) -> Response:
    return _customer(lambda built, request: built.answer_offer(token, request, "accept"))


@route("/o/{token}/decline", methods=["POST"], content_types=FORMS)
@page("Page form: decline the offer", refusals=(403, 404))
def offer_page_decline(token: str) -> Response:
    return _customer(lambda built, request: built.answer_offer(token, request, "decline"))


@route("/b/{token}", methods=["GET"])
@page("Page: a booking, to move, cancel or add to a calendar")
def booking_page(token: str) -> Response:
    return _customer(lambda built, request: built.booking(token, request))


@route("/b/{token}/cancel", methods=["GET"])
@page("Page: confirm cancelling the booking")
def booking_page_confirm_cancel(token: str) -> Response:
    return _customer(lambda built, request: built.confirm_cancel(token))


@route("/b/{token}/cancel", methods=["POST"], content_types=FORMS)
@page("Page form: cancel the booking", refusals=(403, 404))
def booking_page_cancel(token: str) -> Response:
    return _customer(lambda built, request: built.cancel_booking(token, request))


@route("/b/{token}/move", methods=["POST"], content_types=FORMS)
@page("Page form: move the booking", refusals=(403, 404, 409))
def booking_page_move(token: str) -> Response:
    return _customer(lambda built, request: built.move_booking(token, request))


@route("/b/{token}/calendar.ics", methods=["GET"])
@page("The booking as an iCalendar event", content=CALENDAR)
def booking_page_calendar(token: str) -> Response:
    return _customer(lambda built, request: built.booking_calendar(token))


@route("/w/{token}", methods=["GET"])
@page("Page: a place on a waiting list, and how the list works")
def waiting_entry_page(token: str) -> Response:
    return _customer(lambda built, request: built.entry(token, request))


@route("/w/{token}/leave", methods=["POST"], content_types=FORMS)
@page("Page form: leave the list", refusals=(403, 404))
def waiting_entry_page_leave(token: str) -> Response:
    return _customer(lambda built, request: built.leave_list(token, request))


# --- the staff board -------------------------------------------------------------------------


@route("/board/login", methods=["GET"])
@page("Page: staff sign-in with a staff token")
def board_login_page() -> Response:
    return _board(lambda built, request: built.login_page(request))


@route("/board/login", methods=["POST"], content_types=FORMS)
@page("Page form: sign in (sets an HttpOnly cookie)")
def board_log_in() -> Response:
    return _board(lambda built, request: built.log_in(request))


@route("/board/logout", methods=["POST"], content_types=FORMS)
@page("Page form: sign out")
def board_log_out() -> Response:
    return _board(lambda built, request: built.log_out(request))


@route("/board", methods=["GET"])
@page("Page: the staff board of a day (?day=YYYY-MM-DD)")
def board_page() -> Response:
    return _board(lambda built, request: built.board(request))


BOARD_RELEASE = "/board/slots/{slot_id}/bookings/{booking_id}/release"


@route(BOARD_RELEASE, methods=["GET"])
@page("Page: the warning before releasing a seat, naming who will get it")
def board_release_preview(slot_id: str, booking_id: str) -> Response:
    return _board(lambda built, request: built.release_preview(request, slot_id, booking_id))


@route(BOARD_RELEASE, methods=["POST"], content_types=FORMS)
@page("Page form: release the seat (cancel the booking)", refusals=(403, 404))
def board_release(slot_id: str, booking_id: str) -> Response:
    return _board(lambda built, request: built.release(request, slot_id, booking_id))


# --- the front desk: a slot's detail, its bookings' actions and its waiting list ------------


def _desk(view: Callable[[FrontDesk, PageRequest], Page]) -> Response:
    from chalicelib.entrypoints.pages.front_desk import desk_pages, signed_in_or_login

    built = desk_pages()
    return _serve(lambda request: signed_in_or_login(built, lambda: view(built, request)), built)


BOARD_SLOT = "/board/slots/{slot_id}"
BOARD_BOOKING = "/board/slots/{slot_id}/bookings/{booking_id}"


@route(BOARD_SLOT, methods=["GET"])
@page("Page: a slot's bookings with every action, its waiting list and what happened (?booking=)")
def board_slot_page(slot_id: str) -> Response:
    return _desk(lambda built, request: built.slot_page(request, slot_id))


@route(f"{BOARD_BOOKING}/confirm", methods=["POST"], content_types=FORMS)
@page("Page form: confirm a pending booking", refusals=(403, 404))
def board_confirm(slot_id: str, booking_id: str) -> Response:
    return _desk(lambda built, request: built.confirm(request, slot_id, booking_id))


@route(f"{BOARD_BOOKING}/actions/{{action}}", methods=["GET"])
@page("Page: the warning before reject, cancel, no_show, delete or move, naming who gets the seat")
def board_action_page(slot_id: str, booking_id: str, action: str) -> Response:
    return _desk(lambda built, request: built.action_page(request, slot_id, booking_id, action))


@route(f"{BOARD_BOOKING}/actions/{{action}}", methods=["POST"], content_types=FORMS)
@page(
    "Page form: reject (reason required), cancel, no_show, delete or move",
    refusals=(400, 403, 404, 409),
)
def board_act(slot_id: str, booking_id: str, action: str) -> Response:
    return _desk(lambda built, request: built.act(request, slot_id, booking_id, action))


@route(f"{BOARD_BOOKING}/step", methods=["POST"], content_types=FORMS)
@page("Page form: move a booking along the status pipeline", refusals=(403, 404))
def board_step(slot_id: str, booking_id: str) -> Response:
    return _desk(lambda built, request: built.step(request, slot_id, booking_id))


@route(f"{BOARD_SLOT}/waiting-list", methods=["POST"], content_types=FORMS)
@page("Page form: add a customer to the slot's waiting list", refusals=(400, 403, 404, 409))
def board_add_entry(slot_id: str) -> Response:
    return _desk(lambda built, request: built.add_entry(request, slot_id))


@route(f"{BOARD_SLOT}/waiting-list/{{entry_id}}/book", methods=["POST"], content_types=FORMS)
@page("Page form: book a waiting customer into a free seat", refusals=(403, 404))
def board_book_entry(slot_id: str, entry_id: str) -> Response:
    return _desk(lambda built, request: built.book_entry(request, slot_id, entry_id))


@route(f"{BOARD_SLOT}/waiting-list/{{entry_id}}/remove", methods=["POST"], content_types=FORMS)
@page("Page form: remove an entry from the waiting list", refusals=(403, 404))
def board_remove_entry(slot_id: str, entry_id: str) -> Response:
    return _desk(lambda built, request: built.remove_entry(request, slot_id, entry_id))


@route(f"{BOARD_SLOT}/offers", methods=["POST"], content_types=FORMS)
@page(
    "Page form: offer a free seat to the ticked waiting customers (manual mode)",
    refusals=(403, 404),
)
def board_offer_chosen(slot_id: str) -> Response:
    return _desk(lambda built, request: built.offer_chosen(request, slot_id))


@route("/board/services/{service_id}/waiting-list", methods=["GET"])
@page("Page: a service's window entries and earlier-time requests still waiting, in order")
def board_service_list_page(service_id: str) -> Response:
    return _desk(lambda built, request: built.service_list(request, service_id))


@route(
    "/board/services/{service_id}/waiting-list/{entry_id}/remove",
    methods=["POST"],
    content_types=FORMS,
)
@page("Page form: remove a window entry or earlier-time request", refusals=(403, 404))
def board_remove_window_entry(service_id: str, entry_id: str) -> Response:
    return _desk(lambda built, request: built.remove_window_entry(request, service_id, entry_id))


@route(f"{BOARD_SLOT}/change", methods=["POST"], content_types=FORMS)
@page("Page form: change a slot's capacity, staff member or place", refusals=(403, 404))
def board_change_slot(slot_id: str) -> Response:
    return _desk(lambda built, request: built.change_slot(request, slot_id))


@route("/board/slots", methods=["POST"], content_types=FORMS)
@page("Page form: add a slot of a service", refusals=(403,))
def board_add_slot() -> Response:
    return _desk(lambda built, request: built.add_slot(request))


@route("/board/stuck", methods=["GET"])
@page("Page: seats held for the waiting list whose refill has not decided yet")
def board_stuck_page() -> Response:
    return _desk(lambda built, request: built.stuck(request))


@route(f"{BOARD_SLOT}/holds/{{cause}}/release", methods=["POST"], content_types=FORMS)
@page("Page form: resolve a held seat now, through the refill", refusals=(403, 404))
def board_release_hold(slot_id: str, cause: str) -> Response:
    return _desk(lambda built, request: built.release_hold(request, slot_id, cause))


@route("/board/requests", methods=["GET"])
@page("Page: pending requests across slots, soonest first (?confirmed=1 shows confirmed too)")
def board_requests_page() -> Response:
    return _desk(lambda built, request: built.requests(request))


@route("/board/week", methods=["GET"])
@page("Page: the week of slots around a day (?day=YYYY-MM-DD, ?staff=, ?location=)")
def board_week_page() -> Response:
    return _desk(lambda built, request: built.week(request))


@route("/board/language", methods=["POST"], content_types=FORMS)
@page("Page form: the staff member's language for the board's pages (a cookie)", refusals=(403,))
def board_switch_language() -> Response:
    return _board(lambda built, request: built.switch_language(request))
