"""Server-rendered pages: the citizen start page at /, the staff start page at /staff."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.api.http import (
    CITIZEN_SESSION_COOKIE,
    LANGUAGE_COOKIE,
    STAFF_SESSION_COOKIE,
    clear_cookie,
    cookies,
    form,
    language,
    redirect,
    render_page,
    require_csrf,
    safe_next_path,
    set_cookie,
)
from chalicelib.api.session import citizen_or_landing, citizen_token, current_citizen, current_staff
from chalicelib.bootstrap import ports
from chalicelib.domain import clock
from chalicelib.services import access_log, acting, cases, citizen_settings, inbox, start_pages
from chalicelib.errors import BadInput, TooManyRequests, Unavailable
from chalicelib.web.render import favicon, pick_language, stylesheet
from chalicelib.catalogs import translate

pages = Blueprint(__name__)
FORM = ["application/x-www-form-urlencoded"]
LANGUAGE_COOKIE_SECONDS = 365 * 24 * 3600


def _landing(entry: str, session_cookie: str) -> Response:
    """The logged-out page, saying why when the visitor was just logged out."""
    request = pages.current_request
    had_session = session_cookie in cookies(request)
    params = request.query_params or {}
    notice = "landing.logged_out" if params.get("logged_out") else ("landing.session_ended" if had_session else None)
    staff = entry == "staff"
    return render_page(
        "landing.html",
        language(request),
        staff=staff,
        set_cookies=[clear_cookie(session_cookie)] if had_session else None,
        heading_key="staff.landing.heading" if staff else "landing.heading",
        intro_key="staff.landing.intro" if staff else "landing.intro",
        login_key="staff.landing.login" if staff else "landing.login",
        login_path="/staff/login" if staff else "/login",
        notice_key=notice,
    )


@pages.route("/", methods=["GET"])
def citizen_start() -> Response:
    request = pages.current_request
    principal = current_citizen(request)
    if principal is None:
        return _landing("citizen", CITIZEN_SESSION_COOKIE)
    lang = language(request)
    view = start_pages.citizen_start(ports(), principal, clock.utc_now(), children_unread=True, lang=lang)
    return render_page(
        "citizen_start.html",
        lang,
        staff=False,
        csrf_token=principal.csrf_token,
        principal=principal,
        children=view.children,
        children_unread=view.children_unread,
        services=view.services,
        unread=view.unread,
        bookings=view.bookings,
        invitations=view.invitations,
        unread_newest=view.unread_newest,
        cases_waiting=view.cases_waiting,
        forms_to_fill=view.forms_to_fill,
    )


@pages.route("/act-for", methods=["POST"], content_types=FORM)
def act_for() -> Response:
    request = pages.current_request
    principal = current_citizen(request)
    if principal is None:
        return redirect("/")
    fields = form(request)
    require_csrf(principal.csrf_token, fields.get("csrf_token"))
    token = citizen_token(request) or ""
    if fields.get("person", "self") == "self":
        acting.act_for_self(ports(), token)
    else:
        acting.act_for_child(ports(), principal, token, fields["person"], clock.utc_now())
    return redirect("/")


def _citizen_or_landing() -> tuple[object, Response | None]:
    return citizen_or_landing(pages.current_request)


@pages.route("/inbox", methods=["GET"])
def inbox_page() -> Response:
    principal, away = _citizen_or_landing()
    if away:
        return away
    params = pages.current_request.query_params or {}
    page = inbox.inbox_page(ports(), principal, params.get("cursor"))
    return render_page("inbox.html", language(pages.current_request), staff=False,
                       csrf_token=principal.csrf_token, principal=principal, threads=page.threads,
                       next_cursor=page.next_cursor, cursor=params.get("cursor"),
                       deleted=params.get("deleted") == "1")  # fmt: skip


@pages.route("/inbox/{message_id}", methods=["GET"])
def thread_page(message_id: str) -> Response:
    principal, away = _citizen_or_landing()
    if away:
        return away
    cursor = (pages.current_request.query_params or {}).get("cursor")
    shown = inbox.open_thread_page(ports(), principal, message_id, clock.utc_now(), cursor)
    return render_page("thread.html", language(pages.current_request), staff=False,
                       csrf_token=principal.csrf_token, principal=principal, thread=shown.thread,
                       next_cursor=shown.next_cursor, cursor=cursor, message_id=message_id)  # fmt: skip


@pages.route("/inbox/{message_id}/attachments/{attachment_id}", methods=["GET"])
def download_attachment(message_id: str, attachment_id: str) -> Response:
    """To the file through a link that works for a minute; this page's address is what people keep."""
    principal, away = _citizen_or_landing()
    if away:
        return away
    return redirect(inbox.download_link(ports(), principal, message_id, attachment_id))


@pages.route("/inbox/{message_id}/delete", methods=["GET"])
def delete_message_question(message_id: str) -> Response:
    """Asks first (a page of its own, no JavaScript): the form on it deletes."""
    principal, away = _citizen_or_landing()
    if away:
        return away
    message = inbox.message_to_delete(ports(), principal, message_id)
    return render_page("message_delete.html", language(pages.current_request), staff=False,
                       csrf_token=principal.csrf_token, principal=principal, message=message)  # fmt: skip


@pages.route("/inbox/{message_id}/delete", methods=["POST"], content_types=FORM)
def delete_message(message_id: str) -> Response:
    request = pages.current_request
    principal, away = _citizen_or_landing()
    if away:
        return away
    require_csrf(principal.csrf_token, form(request).get("csrf_token"))
    inbox.delete_message(ports(), principal, message_id, clock.utc_now())
    return redirect("/inbox?deleted=1")


_SETTINGS_NOTICES = {"saved": "settings.saved", "code_sent": "settings.code_sent",
                     "verified": "settings.contact_verified", "removed": "settings.contact_removed"}  # fmt: skip


def _settings_page(principal, *, errors: dict[str, str] | None = None, status: int = 200) -> Response:
    request = pages.current_request
    current = citizen_settings.current(ports(), principal)
    notice = _SETTINGS_NOTICES.get((request.query_params or {}).get("done", ""))
    contacts = [
        ("email", "settings.email", current.email, current.pending_email, "email"),
        ("sms", "settings.sms", current.sms, current.pending_sms, "tel"),
    ]
    return render_page("settings.html", language(request), staff=False, csrf_token=principal.csrf_token,
                       principal=principal, current=current, contacts=contacts, errors=errors or {},
                       notice_key=None if errors else notice, status=status)  # fmt: skip


@pages.route("/settings", methods=["GET"])
def settings_page() -> Response:
    principal, away = _citizen_or_landing()
    return away or _settings_page(principal)


@pages.route("/settings", methods=["POST"], content_types=FORM)
def save_settings() -> Response:
    principal, away = _citizen_or_landing()
    if away:
        return away
    fields = form(pages.current_request)
    require_csrf(principal.csrf_token, fields.get("csrf_token"))
    language_choice = fields.get("language")
    citizen_settings.update_preferences(
        ports(), principal, digital_first=fields.get("digital_first") == "yes", language=language_choice
    )
    cookie = set_cookie(LANGUAGE_COOKIE, pick_language(language_choice), max_age=LANGUAGE_COOKIE_SECONDS)
    return redirect("/settings?done=saved", set_cookies=[cookie])


def _contact_action(action: str) -> Response:
    principal, away = _citizen_or_landing()
    if away:
        return away
    fields = form(pages.current_request)
    require_csrf(principal.csrf_token, fields.get("csrf_token"))
    channel = fields.get("channel", "")
    try:
        if action == "start":
            citizen_settings.start_verification(ports(), principal, channel, fields.get("address"), clock.utc_now())
        elif action == "verify":
            citizen_settings.confirm(ports(), principal, channel, fields.get("code"), clock.utc_now())
        else:
            citizen_settings.withdraw(ports(), principal, channel)
    except (BadInput, TooManyRequests, Unavailable) as error:
        # The message goes beside the field it concerns, and nothing was stored.
        page = _settings_page(principal, errors={f"{channel}-{error.field}": error.message}, status=error.status)
        if getattr(error, "retry_after", None):
            page.headers["Retry-After"] = str(error.retry_after)
        return page
    return redirect("/settings?done=" + {"start": "code_sent", "verify": "verified", "remove": "removed"}[action])


@pages.route("/settings/contact", methods=["POST"], content_types=FORM)
def start_contact_verification() -> Response:
    return _contact_action("start")


@pages.route("/settings/contact/verify", methods=["POST"], content_types=FORM)
def verify_contact() -> Response:
    return _contact_action("verify")


@pages.route("/settings/contact/remove", methods=["POST"], content_types=FORM)
def remove_contact() -> Response:
    return _contact_action("remove")


@pages.route("/access-log", methods=["GET"])
def access_log_page() -> Response:
    principal, away = _citizen_or_landing()
    if away:
        return away
    cursor = (pages.current_request.query_params or {}).get("cursor")
    return render_page("access_log.html", language(pages.current_request), staff=False,
                       csrf_token=principal.csrf_token, principal=principal,
                       entries=access_log.entries(ports(), principal, cursor), cursor=cursor)  # fmt: skip


@pages.route("/staff", methods=["GET"])
def staff_start() -> Response:
    request = pages.current_request
    principal = current_staff(request)
    if principal is None:
        return _landing("staff", STAFF_SESSION_COOKIE)
    lang = language(request)
    units = start_pages.staff_units(ports(), principal, translate(lang, "staff.start.region"))
    figures = {u.hsa_id: cases.figures(ports(), u.hsa_id, clock.utc_now()) for u in units
               if principal.has_role(u.hsa_id, *cases.READERS)}  # fmt: skip
    return render_page("staff_start.html", lang, staff=True, csrf_token=principal.csrf_token, principal=principal,
                       units=units, figures=figures)  # fmt: skip


@pages.route("/language", methods=["GET"])
def choose_language() -> Response:
    """Remember the language and go back. Only a preference: it changes nothing on the server."""
    params = pages.current_request.query_params or {}
    lang = pick_language(params.get("lang"))
    cookie = set_cookie(LANGUAGE_COOKIE, lang, max_age=LANGUAGE_COOKIE_SECONDS)
    return redirect(safe_next_path(params.get("next")), set_cookies=[cookie])


ICON_CACHE = "public, max-age=2592000"  # 30 days: the icon hardly ever changes


@pages.route("/favicon.svg", methods=["GET"])
def favicon_svg() -> Response:
    """The site's icon (base.html links it), the region's blue with a white cross."""
    return Response(body=favicon(), headers={"Content-Type": "image/svg+xml", "Cache-Control": ICON_CACHE})


@pages.route("/favicon.ico", methods=["GET"])
def favicon_ico() -> Response:
    """Where browsers and feed readers look without a link: the same icon (a permanent redirect
    keeps the app free of binary responses)."""
    return Response(body="", status_code=301, headers={"Location": "/favicon.svg", "Cache-Control": ICON_CACHE})


@pages.route("/static/app.css", methods=["GET"])
def app_css() -> Response:
    return Response(
        body=stylesheet(),
        headers={"Content-Type": "text/css; charset=utf-8", "Cache-Control": "public, max-age=3600"},
    )
