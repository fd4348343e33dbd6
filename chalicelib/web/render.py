"""Server-rendered pages: Jinja2 with autoescaping, the text catalogue, and the language choice.

A service's error a page prints (`{{ error.message }}`, `{{ errors[name] }}`, a refusal) is Swedish
as the service wrote it, an ErrorText (domain/error_text.py); printing says it in the page's language
from the errors catalogue, whichever template prints it, so no page can show Swedish to an English
reader by forgetting to translate."""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chalicelib.domain.clock import STOCKHOLM
from chalicelib.domain.error_text import ErrorText
from chalicelib.domain.inbox import paragraphs
from chalicelib.domain.localized import as_shown
from chalicelib import catalogs
from chalicelib.catalogs import translate

if TYPE_CHECKING:
    from jinja2 import Environment

_HERE = Path(__file__).parent


@lru_cache(maxsize=1)
def _environment() -> Environment:
    # Jinja2 is imported with the first page rendered: the JSON and integration APIs never load it.
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context, select_autoescape

    @pass_context
    def said(context: Any, value: Any) -> Any:
        """What a `{{ … }}` prints: a service's error in the page's language; anything else as it is."""
        return catalogs.error_text(context.get("lang"), value) if isinstance(value, ErrorText) else value

    environment = Environment(
        loader=FileSystemLoader(str(_HERE / "templates")),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        # {% trans %} and _() where a template wants them; the page's gettext is in its context
        extensions=["jinja2.ext.i18n"],
        finalize=said,
    )
    environment.filters["stockholm"] = _stockholm_time
    environment.filters["paragraphs"] = paragraphs
    environment.filters["stockholm_time"] = lambda moment: moment.astimezone(STOCKHOLM).strftime("%H:%M")
    environment.filters["machine_time"] = machine_time
    return environment


def machine_time(moment: datetime | date) -> str:
    """A `<time datetime>` value: ISO 8601 to the second with Stockholm's offset
    ("2026-06-01T18:00:00+02:00"). The HTML standard allows at most three fraction digits, and a
    reader needs none; a date stays a date."""
    if not isinstance(moment, datetime):
        return moment.isoformat()
    return moment.astimezone(STOCKHOLM).isoformat(timespec="seconds")


def _stockholm_time(moment: datetime) -> str:
    """Times are shown as people read them: Stockholm local time."""
    return moment.astimezone(STOCKHOLM).strftime("%Y-%m-%d %H:%M")


def pick_language(cookie_value: str | None) -> str:
    return catalogs.pick(cookie_value)


@lru_cache(maxsize=1)
def _language_names() -> tuple[tuple[str, str], ...]:
    """Each language the e-services have a catalogue for, named in itself ("Svenska", "English")."""
    return tuple((code, translate(code, "language.name")) for code in catalogs.LANGUAGES)


def render(template: str, lang: str, **context: Any) -> str:
    """The page in `lang`. `t(key)` is a text in the page's language; `t_in(lang, key)` one in another
    (a preview of what a reader in that language sees)."""

    def t(key: str, **values: object) -> str:
        return translate(lang, key, **values)

    def has_text(key: str) -> bool:
        """Whether the catalogue has the key: a notice named in a page's address (?done=…) that it
        does not know is left out, not a server error."""
        return catalogs.known(key)

    translations = catalogs.catalogue(lang)
    return _environment().get_template(template).render(
        lang=lang, t=t, t_in=translate, as_shown=as_shown, has_text=has_text, language_names=_language_names(),
        gettext=translations.gettext, ngettext=translations.ngettext, _=translations.gettext, **context)


@lru_cache(maxsize=1)
def stylesheet() -> str:
    return (_HERE / "static" / "app.css").read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def favicon() -> str:
    return (_HERE / "static" / "favicon.svg").read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def logout_script() -> str:
    """The one script the site has (the logout page's), served as a file: the CSP allows no inline script."""
    return (_HERE / "static" / "logout.js").read_text(encoding="utf-8")
