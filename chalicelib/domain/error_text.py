"""The texts of errors a person can act on, written in Swedish (the source language) where they arise
and said in the reader's language only where they are shown (api/http.py, web/render.py).

A text with values is written as its template and the values, not as an f-string: the template is
what the errors catalogue (locale/<lang>/LC_MESSAGES/errors.po) translates, and the values are
filled in afterwards, in whichever language. A text written down before it is raised (a refusal in
a table, a limit, a message in a field's dict) is marked with N_ so the catalogue check
(tests/unit/test_catalogs.py) finds it.
"""

from __future__ import annotations

from collections.abc import Mapping


def N_(text: str) -> str:
    """Marks a Swedish error text written down before it is raised, for the errors catalogue
    (gettext's no-op N_): the text itself. An error made from it is said in the reader's language."""
    return text


class ErrorText(str):
    """A Swedish error text: the template filled with its values, so it reads (in logs, tests, any
    str comparison) as the Swedish it says; `template` and `values` let the boundary say it in
    another language. `ErrorText("Högst {limit} tecken.", {"limit": 4000})` == "Högst 4000 tecken.".

    An AppError's `message` is one, and so is each message of a form's errors (InvalidForm). msgspec
    encodes no str subclass: a JSON body gets the text as said (catalogs.py error_text), a str."""

    template: str
    values: Mapping[str, object]

    def __new__(cls, template: str, values: Mapping[str, object] | None = None) -> ErrorText:
        if isinstance(template, ErrorText) and not values:
            return template
        text = super().__new__(cls, template.format_map(values) if values else template)
        text.template = str(template)
        text.values = dict(values or {})
        return text

    def __reduce__(self) -> tuple[object, ...]:
        return ErrorText, (self.template, self.values)
