"""The citizen seals their own whole journal (försegla hela 1177 Journalen): a page that says what
sealing does, and its form; and lifts a seal they put themselves. A seal care put (on the citizen's
request, or where someone may press them to show it) takes contact with a care unit to lift (seed
002): the page says so. The journal page itself (/journal) is its own area; the browser goes back there."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.api.http import form_action, language, render_page
from chalicelib.api.session import citizen_or_landing
from chalicelib.bootstrap import ports
from chalicelib.domain import clock
from chalicelib.errors import AppError
from chalicelib.services import protections

journal_seal_pages = Blueprint(__name__)
FORM = ["application/x-www-form-urlencoded"]


@journal_seal_pages.route("/journal/seal", methods=["GET"])
def journal_seal_page() -> Response:
    principal, away = citizen_or_landing(journal_seal_pages.current_request)
    if away:
        return away
    return render_page("journal_seal.html", language(journal_seal_pages.current_request), staff=False,
                       csrf_token=principal.csrf_token, principal=principal,
                       sealed=protections.sealed(ports(), principal, clock.utc_now()),
                       by_self=protections.sealed_by_self(ports(), principal, clock.utc_now()))  # fmt: skip


@journal_seal_pages.route("/journal/seal", methods=["POST"], content_types=FORM)
def journal_seal() -> Response:
    principal, away = citizen_or_landing(journal_seal_pages.current_request)
    if away:
        return away

    def run(_fields: dict[str, str]) -> str:
        protections.citizen_seal(ports(), principal, clock.utc_now())
        return "/journal"

    def never(_fields: dict[str, str], error: AppError) -> Response:
        raise error

    return form_action(journal_seal_pages.current_request, principal.csrf_token, run, never, recoverable=())


@journal_seal_pages.route("/journal/unseal", methods=["POST"], content_types=FORM)
def journal_unseal() -> Response:
    principal, away = citizen_or_landing(journal_seal_pages.current_request)
    if away:
        return away

    def run(_fields: dict[str, str]) -> str:
        protections.citizen_unseal(ports(), principal, clock.utc_now())
        return "/journal"

    def never(_fields: dict[str, str], error: AppError) -> Response:
        raise error

    return form_action(journal_seal_pages.current_request, principal.csrf_token, run, never, recoverable=())
