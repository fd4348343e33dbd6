"""The API function's routes, each area's module imported when a request first needs it.

A request reaches one area (the citizen's inbox, the staff Tidbok, the care systems' API, …) and
needs that area's pages, services and rules; importing every area at `import app` made every cold
start pay for all of them. So app.py registers the routes from `route_table.py` — path, methods,
content types, and the module and function that serve them — with a `LazyView` for each, which
imports its module on its first call and then calls the real function. The areas' modules keep
their Blueprints and decorators as they are: they are the source of truth, and `route_table.py`
is generated from them (`make routes`; `make run`, `make test` and the asset build run it, and
tests/unit/test_route_table.py fails when it is stale).
"""

from __future__ import annotations

import functools
import importlib
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

# The modules that hold the API's routes, each with its Blueprint (the module attribute named).
AREAS: tuple[tuple[str, str], ...] = (
    ("chalicelib.api.pages", "pages"),
    ("chalicelib.api.auth_routes", "auth_routes"),
    ("chalicelib.api.api_v1", "api_v1"),
    ("chalicelib.api.integration_v1", "integration_v1"),
    ("chalicelib.api.staff_pages", "staff_pages"),
    ("chalicelib.api.booking_pages", "booking_pages"),
    ("chalicelib.api.booking_api", "booking_api"),
    ("chalicelib.api.citizen_api", "citizen_api"),
    ("chalicelib.api.staff_booking_pages", "staff_booking_pages"),
    ("chalicelib.api.staff_summons_pages", "staff_summons_pages"),
    ("chalicelib.api.self_test_pages", "self_test_pages"),
    ("chalicelib.api.form_pages", "form_pages"),
    ("chalicelib.api.journal_pages", "journal_pages"),
    ("chalicelib.api.medicine_pages", "medicine_pages"),
    ("chalicelib.api.consumable_pages", "consumable_pages"),
    ("chalicelib.api.case_pages", "case_pages"),
    ("chalicelib.api.staff_case_pages", "staff_case_pages"),
    ("chalicelib.api.staff_person_pages", "staff_person_pages"),
    ("chalicelib.api.staff_api", "staff_api"),
    ("chalicelib.api.staff_admin_pages", "staff_admin_pages"),
    ("chalicelib.api.staff_region_pages", "staff_region_pages"),
    ("chalicelib.api.staff_statistics_pages", "staff_statistics_pages"),
    ("chalicelib.api.staff_form_pages", "staff_form_pages"),
    ("chalicelib.api.staff_protection_pages", "staff_protection_pages"),
    ("chalicelib.api.journal_seal_pages", "journal_seal_pages"),
    ("chalicelib.api.certificate_pages", "certificate_pages"),
)

TABLE = Path(__file__).with_name("route_table.py")

Route = tuple[str, tuple[str, ...], tuple[str, ...], str, str, str]  # path, methods, content types, name, module, function


class LazyView:
    """A route's view: imports the area's module on the first call (as register_blueprint would have
    at `import app`, the Blueprint then answers `current_request` from this app) and calls the view."""

    _lock = threading.Lock()  # the local stack serves requests on threads

    def __init__(self, app: Any, module: str, function: str) -> None:
        self.app, self.module, self.function = app, module, function
        self.__name__ = function
        self._view: Callable[..., Any] | None = None

    def resolve(self) -> Callable[..., Any]:
        if self._view is None:
            with self._lock:
                if self._view is None:
                    self._view = getattr(load_area(self.app, self.module), self.function)
        return self._view

    def __call__(self, **uri_params: Any) -> Any:
        return self.resolve()(**uri_params)


def load_area(app: Any, module_name: str) -> Any:
    """The area's module, its Blueprint attached to `app` (without registering its routes again)."""
    module = importlib.import_module(module_name)
    blueprint = getattr(module, dict(AREAS)[module_name])
    blueprint._current_app = app  # what Blueprint.register does first; the routes are app's already
    return module


def register(app: Any) -> None:
    """Every area's routes on `app`, from the generated table."""
    from chalicelib.api.route_table import ROUTES

    for path, methods, content_types, name, module, function in ROUTES:
        app.route(path, methods=list(methods), content_types=list(content_types), name=name)(
            LazyView(app, module, function))


@functools.cache  # Chalice consumes a Blueprint's route options as it registers them: once per process
def declared_routes() -> list[Route]:
    """The routes as the areas' modules declare them (imports every area): what the table must say."""
    from chalice import Chalice

    scratch = Chalice(app_name="route-table")
    for module_name, name in AREAS:
        blueprint = getattr(importlib.import_module(module_name), name)
        serving = blueprint._current_app
        scratch.register_blueprint(blueprint)
        blueprint._current_app = serving  # still the app's, when the app had loaded this area
    routes: dict[tuple[str, str, tuple[str, ...], str], list[str]] = {}
    for path, by_method in scratch.routes.items():
        for method, entry in by_method.items():
            view = entry.view_function
            key = (path, entry.view_name, tuple(entry.content_types), f"{view.__module__}:{view.__name__}")
            routes.setdefault(key, []).append(method)
    return sorted((path, tuple(sorted(methods)), content_types, name, *where.split(":"))
                  for (path, name, content_types, where), methods in routes.items())  # type: ignore[misc]


def render_table(routes: list[Route]) -> str:
    lines = ['"""Generated from the areas\' modules by `make routes` (chalicelib/api/areas.py): do not edit."""',
             "", "ROUTES = ("]  # fmt: skip
    lines += [f"    {route!r}," for route in routes]
    lines += [")", ""]
    return "\n".join(lines)


if __name__ == "__main__":  # make routes
    text = render_table(declared_routes())
    if not TABLE.is_file() or TABLE.read_text() != text:
        TABLE.write_text(text)
        print(f"{TABLE.relative_to(Path.cwd())}: rewritten")
