"""Mina intyg for the citizen: the list (newest first, hidden ones behind a "show hidden" link),
one certificate, its PDF (a form post: a download), hiding and showing it, and sending it on to a
receiver the region configured; the JSON API (/api/v1/certificates). Read from the care systems at
each view; without JavaScript every action is a plain form."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint, Response

from chalicelib.api import models as m
from chalicelib.api.contract import CITIZEN, Param, operation, read_body, to_json
from chalicelib.api.http import form, json_response, language, redirect, render_page, require_csrf
from chalicelib.api.session import citizen_or_landing, require_citizen
from chalicelib.bootstrap import ports
from chalicelib.domain import clock
from chalicelib.catalogs import error_text
from chalicelib.errors import AppError, Unavailable
from chalicelib.services import certificates
from chalicelib.services.principals import CitizenPrincipal

certificate_pages = Blueprint(__name__)
FORM = ["application/x-www-form-urlencoded"]


def _query() -> dict[str, str]:
    return dict(certificate_pages.current_request.query_params or {})


@certificate_pages.route("/certificates", methods=["GET"])
def certificates_page() -> Response:
    principal, away = citizen_or_landing(certificate_pages.current_request)
    if away:
        return away
    show_hidden = _query().get("hidden") == "1"
    found = certificates.overview(ports(), principal, clock.utc_now(), show_hidden=show_hidden)
    return render_page("certificates.html", language(certificate_pages.current_request), staff=False,
                       csrf_token=principal.csrf_token, principal=principal, found=found,
                       done=_query().get("done"))  # fmt: skip


def _certificate_page(principal: CitizenPrincipal, source: str, certificate_id: str, *, status: int = 200,
                      error: str | None = None, done: str | None = None) -> Response:  # fmt: skip
    found = certificates.one(ports(), principal, source, certificate_id, clock.utc_now())
    return render_page("certificate.html", language(certificate_pages.current_request), staff=False,
                       csrf_token=principal.csrf_token, principal=principal, found=found, status=status,
                       receivers=ports().settings.certificate_receivers, send_id=certificates.new_send_id(),
                       error=error, done=done)  # fmt: skip


@certificate_pages.route("/certificates/{source}/{certificate_id}", methods=["GET"])
def certificate_page(source: str, certificate_id: str) -> Response:
    principal, away = citizen_or_landing(certificate_pages.current_request)
    if away:
        return away
    try:
        return _certificate_page(principal, source, certificate_id, done=_query().get("done"))
    except Unavailable as error:  # the source is down: say which, on a page to come back to
        lang = language(certificate_pages.current_request)
        return render_page("certificate_unavailable.html", lang, staff=False, csrf_token=principal.csrf_token,
                           principal=principal, status=503, message=error_text(lang, error.message))  # fmt: skip


def _action(source: str, certificate_id: str, run: Any) -> Response:
    principal, away = citizen_or_landing(certificate_pages.current_request)
    if away:
        return away
    fields = form(certificate_pages.current_request)
    require_csrf(principal.csrf_token, fields.get("csrf_token"))
    try:
        return run(principal, fields)
    except AppError as error:
        if error.status != 400:
            raise
        return _certificate_page(principal, source, certificate_id, status=400, error=error.message)


@certificate_pages.route("/certificates/{source}/{certificate_id}/pdf", methods=["POST"], content_types=FORM)
def certificate_pdf(source: str, certificate_id: str) -> Response:
    def run(principal: CitizenPrincipal, _fields: dict[str, str]) -> Response:
        filename, data = certificates.pdf(ports(), principal, source, certificate_id, clock.utc_now(),
                                          language(certificate_pages.current_request))  # fmt: skip
        return Response(body=data, status_code=200, headers={
            "Content-Type": "application/pdf", "Cache-Control": "no-store",
            "Content-Disposition": f'attachment; filename="{filename}"'})  # fmt: skip

    return _action(source, certificate_id, run)


@certificate_pages.route("/certificates/{source}/{certificate_id}/hide", methods=["POST"], content_types=FORM)
def certificate_hide(source: str, certificate_id: str) -> Response:
    def run(principal: CitizenPrincipal, _fields: dict[str, str]) -> Response:
        certificates.hide(ports(), principal, source, certificate_id, clock.utc_now())
        return redirect("/certificates?done=hidden")

    return _action(source, certificate_id, run)


@certificate_pages.route("/certificates/{source}/{certificate_id}/show", methods=["POST"], content_types=FORM)
def certificate_show(source: str, certificate_id: str) -> Response:
    def run(principal: CitizenPrincipal, _fields: dict[str, str]) -> Response:
        certificates.show(ports(), principal, source, certificate_id, clock.utc_now())
        return redirect(f"/certificates/{source}/{certificate_id}?done=shown")

    return _action(source, certificate_id, run)


@certificate_pages.route("/certificates/{source}/{certificate_id}/send", methods=["POST"], content_types=FORM)
def certificate_send(source: str, certificate_id: str) -> Response:
    def run(principal: CitizenPrincipal, fields: dict[str, str]) -> Response:
        certificates.send(ports(), principal, source, certificate_id, fields.get("receiver", ""),
                          fields.get("send_id", ""), clock.utc_now())  # fmt: skip
        return redirect(f"/certificates/{source}/{certificate_id}?done=sent")

    return _action(source, certificate_id, run)


# -- the JSON API ----------------------------------------------------------------------------------------
def _send_out(s: Any) -> m.CertificateSendOut:
    return m.CertificateSendOut(s.send_id, s.receiver_id, s.receiver_name, s.sent_at.isoformat(),
                                "pending" if s.pending else "delivered",
                                s.delivered_at.isoformat() if s.delivered_at else None)  # fmt: skip


@operation(certificate_pages, "/api/v1/certificates", "GET", security=CITIZEN, response=m.CertificatesOut,
           query=(Param("hidden", "true: the certificates the person hid are listed too",
                        schema={"type": "string", "enum": ["true", "false"]}),),
           errors={403: ("certificates_not_allowed",)},
           summary="Mina intyg: the person's certificates (the child's when acting for one), read from the region's "
                   "care systems now, newest first; 16 or older, or a guardian for a child under 13")  # fmt: skip
def certificates_json() -> Response:
    principal = require_citizen(certificate_pages.current_request)
    show_hidden = _query().get("hidden") in ("true", "1")
    found = certificates.overview(ports(), principal, clock.utc_now(), show_hidden=show_hidden)
    if found.subject is None or not found.allowed:
        certificates.refuse_unless_allowed(found.subject, found.allowed)
    return json_response(to_json(m.CertificatesOut(
        failed_sources=found.failed_sources,
        certificates=[m.CertificateOut(source=item.certificate.source_id, id=item.certificate.resource_id,
                                       title=item.certificate.title, issued=item.certificate.issued.isoformat(),
                                       unit_hsa_id=item.certificate.unit_hsa_id, unit_name=item.certificate.unit_name,
                                       hidden=item.hidden, sends=[_send_out(s) for s in item.sends])
                      for item in found.listed],
        receivers=[m.CertificateReceiverOut(r.id, r.name) for r in ports().settings.certificate_receivers],
    )))  # fmt: skip


@operation(certificate_pages, "/api/v1/certificates/{source}/{certificate_id}/send", "POST", security=CITIZEN,
           body=m.CertificateSendIn, response=m.CertificateSendOut, status=202,
           errors={403: ("certificates_not_allowed",), 404: ("certificate_not_found",), 503: ("source_unavailable",)},
           summary="Send the certificate on to one of the region's receivers (Försäkringskassan-like), once per "
                   "send_id; it is delivered right after (status pending until the receiver took it)")  # fmt: skip
def certificate_send_json(source: str, certificate_id: str) -> Response:
    request = certificate_pages.current_request
    principal = require_citizen(request)
    require_csrf(principal.csrf_token, request.headers.get("x-csrf-token"))
    body = read_body(request, m.CertificateSendIn)
    sent = certificates.send(ports(), principal, source, certificate_id, body.receiver_id, body.send_id,
                             clock.utc_now())  # fmt: skip
    return json_response(to_json(_send_out(sent)), status=202)
