"""The API's routes are registered from chalicelib/api/route_table.py so that `import app` imports no
area (chalicelib/api/areas.py). The table must say what the areas' modules declare, and the lazy
views must serve exactly what the modules' own functions would."""

from __future__ import annotations

import subprocess
import sys

from chalicelib.api import areas


def test_the_route_table_is_what_the_areas_declare():
    assert areas.TABLE.read_text() == areas.render_table(areas.declared_routes()), (
        "chalicelib/api/route_table.py is stale: run `make routes` after adding, removing or changing a route")


def test_every_route_of_the_app_is_a_lazy_view_of_a_function_its_area_declares():
    import app

    declared = {(path, method): (module, function) for path, methods, _, _, module, function in areas.declared_routes()
                for method in methods}  # fmt: skip
    served = {(path, method): (entry.view_function.module, entry.view_function.function)
              for path, by_method in app.app.routes.items() for method, entry in by_method.items()
              if isinstance(entry.view_function, areas.LazyView)}  # fmt: skip
    assert served == declared
    view = app.app.routes["/"]["GET"].view_function
    assert view.resolve() is sys.modules["chalicelib.api.pages"].citizen_start


def test_import_app_imports_no_area_and_no_aws_sdk():
    # A fresh interpreter: what a cold Lambda pays before its first request reaches an area.
    code = ("import sys, app; print(sorted(m for m in sys.modules if m.startswith(('chalicelib.services', "
            "'chalicelib.adapters', 'chalicelib.domain', 'botocore', 'pynamodb', 'jinja2', 'fpdf')) "
            "or m in dict(__import__('chalicelib.api.areas').api.areas.AREAS)))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "[]"
