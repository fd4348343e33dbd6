"""The staff tool's usage statistics (services/usage.py): a unit's or the region's figures per month,
as a table, bar charts (SVG, no JavaScript) and a CSV of the same figures."""

from __future__ import annotations

import re

from chalice import Blueprint, Response

from chalicelib.api.http import language, render_page
from chalicelib.api.session import staff_or_landing
from chalicelib.bootstrap import ports
from chalicelib.catalogs import translate
from chalicelib.domain import clock, usage
from chalicelib.domain.clock import stockholm_date
from chalicelib.errors import BadInput
from chalicelib.services import usage as usage_service
from chalicelib.services.spreadsheet import semicolon_csv
from chalicelib.web import charts

staff_statistics_pages = Blueprint(__name__)

# The charts: (key, title's text key, the figures drawn as its series).
CHARTS = (
    ("logins", "staff.statistics.figure.logins", (usage.LOGINS,)),
    ("messages", "staff.statistics.figure.messages", (usage.MESSAGES,)),
    ("cases", "staff.statistics.figure.cases", (usage.CASES,)),
    ("bookings", "staff.statistics.chart.bookings", (usage.BOOKED, usage.CANCELLED, usage.REBOOKED)),
    ("summons", "staff.statistics.chart.summons", (usage.SUMMONS_DIGITAL, usage.SUMMONS_PAPER)),
    ("self_tests", "staff.statistics.chart.self_tests", (usage.SELF_TESTS_ORDERED, usage.SELF_TEST_RESULTS)),
    ("forms", "staff.statistics.chart.forms", (usage.FORMS_SENT, usage.FORMS_ANSWERED)),
    ("earlier_times", "staff.statistics.chart.earlier_times", (usage.EARLIER_OFFERED, usage.EARLIER_ACCEPTED)),
)


def _query() -> tuple[str | None, str | None, str | None]:
    params = staff_statistics_pages.current_request.query_params or {}
    return params.get("unit"), params.get("from"), params.get("to")


def _rows(stats: usage_service.Statistics, lang: str) -> list[tuple[str, list[int], bool]]:
    """The table's and the CSV's rows: (label, a value per month, whether it is a case type's)."""
    rows = []
    for figure in usage.FIGURES:
        rows.append((translate(lang, f"staff.statistics.figure.{figure}"), stats.table.row(figure), False))
        if figure == usage.CASES:
            for type_id in stats.table.case_types():
                rows.append((stats.case_type_names.get(type_id, type_id), stats.table.row(f"{usage.CASE_TYPE}{type_id}"),
                             True))  # fmt: skip
    return rows


def _charts(stats: usage_service.Statistics, lang: str) -> list[charts.Chart]:
    labels = [month[5:] for month in stats.table.months]  # "01" … "12": the table says the year
    return [charts.bar_chart(key, translate(lang, title), labels,
                             [(translate(lang, f"staff.statistics.figure.{f}"), stats.table.row(f)) for f in figures])
            for key, title, figures in CHARTS]  # fmt: skip


@staff_statistics_pages.route("/staff/statistics", methods=["GET"])
def statistics_page() -> Response:
    principal, away = staff_or_landing(staff_statistics_pages.current_request)
    if away:
        return away
    lang = language(staff_statistics_pages.current_request)
    chosen, first, last = _query()
    today = stockholm_date(clock.utc_now())
    context: dict[str, object] = {"values": {"unit": chosen or "", "from": first or "", "to": last or ""}}
    try:
        stats = usage_service.statistics(ports(), principal, chosen, first, last, today, lang)
    except BadInput as error:
        context.update(stats=None, errors={error.field or "from": error.message}, status=400,
                       choices=usage_service.choices(ports(), principal, ports().settings.region_name))  # fmt: skip
    else:
        context.update(stats=stats, errors={}, status=200, choices=stats.choices, rows=_rows(stats, lang),
                       charts=_charts(stats, lang),
                       csv_query=f"unit={stats.chosen}&from={stats.first}&to={stats.last}")  # fmt: skip
    status = int(context.pop("status"))  # type: ignore[call-overload]
    return render_page("staff_statistics.html", lang, staff=True, csrf_token=principal.csrf_token,
                       principal=principal, status=status, **context)  # fmt: skip


@staff_statistics_pages.route("/staff/statistics.csv", methods=["GET"])
def statistics_csv() -> Response:
    principal, away = staff_or_landing(staff_statistics_pages.current_request)
    if away:
        return away
    lang = language(staff_statistics_pages.current_request)
    chosen, first, last = _query()
    stats = usage_service.statistics(ports(), principal, chosen, first, last, stockholm_date(clock.utc_now()), lang)
    header = [translate(lang, "staff.statistics.csv.figure"), *stats.table.months]
    body = semicolon_csv(header, [(label, *values) for label, values, _ in _rows(stats, lang)])
    name = re.sub(r"[^A-Za-z0-9-]", "_", f"{translate(lang, 'staff.statistics.csv.file')}-{stats.chosen}"
                                          f"-{stats.first}-{stats.last}")  # fmt: skip
    return Response(body=body, status_code=200, headers={
        "Content-Type": "text/csv; charset=utf-8", "Cache-Control": "no-store",
        "Content-Disposition": f'attachment; filename="{name}.csv"'})  # fmt: skip
