"""`<time datetime>` carries ISO 8601 to the second: the HTML standard allows at most three
fraction digits, and Python's isoformat() gives six (eight validator errors a page)."""

from __future__ import annotations

import re
from datetime import date, datetime, timezone
from pathlib import Path

from chalicelib.web import render

TEMPLATES = Path(render.__file__).parent / "templates"
# A valid global date and time string (HTML): date, "T", time to the second, and "Z" or an offset.
VALID = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})$")


def test_a_time_with_microseconds_is_written_to_the_second_with_stockholms_offset():
    summer = datetime(2026, 6, 1, 16, 0, 5, 123456, tzinfo=timezone.utc)
    winter = datetime(2026, 1, 15, 7, 30, 0, 999999, tzinfo=timezone.utc)
    assert render.machine_time(summer) == "2026-06-01T18:00:05+02:00"
    assert render.machine_time(winter) == "2026-01-15T08:30:00+01:00"
    assert all(VALID.match(render.machine_time(m)) for m in (summer, winter))
    assert render.machine_time(date(2026, 6, 1)) == "2026-06-01"


def test_every_time_element_in_the_templates_goes_through_the_filter():
    attributes = [(p.name, m) for p in TEMPLATES.glob("*.html")
                  for m in re.findall(r'datetime="([^"]*)"', p.read_text(encoding="utf-8"))]  # fmt: skip
    assert attributes
    assert [(name, a) for name, a in attributes if not re.fullmatch(r"\{\{ [\w.\[\]]+ \| machine_time \}\}", a)] == []


def test_a_rendered_time_element_has_no_fraction_of_a_second():
    template = render._environment().from_string('<time datetime="{{ at | machine_time }}">{{ at | stockholm }}</time>')
    html = template.render(at=datetime(2026, 6, 1, 16, 0, 5, 123456, tzinfo=timezone.utc))
    assert html == '<time datetime="2026-06-01T18:00:05+02:00">2026-06-01 18:00</time>'
