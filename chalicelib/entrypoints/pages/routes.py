"""The pages' routes: server-rendered HTML for the links in messages (/o offer, /b booking,
/w waiting-list place) and the staff board. Each route only hands the request over to
customer.py or board.py, imported on the first page: the API's cold start never renders
one."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from chalice import Blueprint, Response

from chalicelib.entrypoints.http.documented import CALENDAR, FORM, page

if TYPE_CHECKING:
    from chalicelib.entrypoints.pages.board import BoardPages
    from chalicelib.entrypoints.pages.customer import CustomerPages
    from chalicelib.entrypoints.pages.forms import Page, PageRequest

pages = Blueprint(__name__)
route = pages.route
FORMS = [FORM]


def _serve(view: Callable[[PageRequest], Page], built: CustomerPages | BoardPages) -> Response:
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
