"""The citizen seals their own whole journal (försegla hela 1177 Journalen): a page that says what
sealing does, and its form. The journal page itself (/journal) is its own area; after sealing the
browser goes back there. Lifting a seal takes contact with a care unit (seed 002), so there is no
citizen form for it: the page says so."""

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
                       sealed=protections.sealed(ports(), principal, clock.utc_now()))  # fmt: skip


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
