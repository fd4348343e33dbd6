"""1177 Journalen for the citizen: the journal by category (notes, diagnoses, lab results,
vaccinations, medicines), newest first, filtered by unit, printable; and who in care opened it in
the last twelve months. Read from the care systems at each view; nothing is stored. Without
JavaScript: the category tabs are links, the unit filter a GET form, the next page a link."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.api.http import language, render_page
from chalicelib.api.session import citizen_or_landing
from chalicelib.bootstrap import ports
from chalicelib.domain import clock
from chalicelib.domain.journal import Category
from chalicelib.services import access_log, journal

journal_pages = Blueprint(__name__)


def _params() -> dict[str, str]:
    return dict(journal_pages.current_request.query_params or {})


@journal_pages.route("/journal", methods=["GET"])
def journal_page() -> Response:
    principal, away = citizen_or_landing(journal_pages.current_request)
    if away:
        return away
    params = _params()
    now = clock.utc_now()
    category = journal.category_of(params.get("category"))
    child = params.get("child") or None
    found = journal.page(ports(), principal, category, now, unit=params.get("unit") or None,
                         cursor=params.get("cursor"), child_id=child)  # fmt: skip
    children = journal.children_with_extended_access(ports(), principal, now) if child is None else []
    return render_page("journal.html", language(journal_pages.current_request), staff=False,
                       csrf_token=principal.csrf_token, principal=principal, journal=found, categories=list(Category),
                       children=children, child=child, cursor=params.get("cursor"), now=now)  # fmt: skip


@journal_pages.route("/journal/log", methods=["GET"])
def journal_log() -> Response:
    principal, away = citizen_or_landing(journal_pages.current_request)
    if away:
        return away
    params = _params()
    found = journal.care_log(ports(), principal, clock.utc_now(), cursor=params.get("cursor"))
    ours = access_log.entries(ports(), principal) if found.access.allowed else []
    return render_page("journal_log.html", language(journal_pages.current_request), staff=False,
                       csrf_token=principal.csrf_token, principal=principal, log=found, ours=ours,
                       cursor=params.get("cursor"))  # fmt: skip
