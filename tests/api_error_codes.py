"""The stable error codes each JSON operation can give, found in the code: every `raise X("code", …)`
(X an AppError: its status) in the operation's handler and in every chalicelib function it reaches
(calls, and functions handed on, as `_command(summons.book_from_care_system, …)`), through the api,
services and domain modules. Principal methods (`principal.require_scope`) count as calls.

`python -m tests.api_error_codes` writes chalicelib/api/error_codes.py, which the OpenAPI document
lists per operation; tests/integration/test_openapi_contract.py fails when that file is stale.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "chalicelib"
TARGET = PACKAGE / "api" / "error_codes.py"
STATUS = {"BadInput": 400, "Invalid": 400, "NotAuthenticated": 401, "Forbidden": 403, "NotFound": 404,
          "Conflict": 409, "LoginFailed": 400, "LoginRefused": 403, "Unprocessable": 422, "TooManyRequests": 429,
          "Unavailable": 503}  # fmt: skip
PRINCIPAL_NAMES = {"principal", "p", "caller", "self"}
# What every operation of a kind gives (a body that does not match, CSRF, not logged in): the document
# adds those from the operation's declaration (api/openapi.py), so they are not followed here.
GENERIC = {"api/http", "api/contract", "api/session"}


def _modules() -> dict[str, ast.Module]:
    found = {}
    for folder in ("api", "services", "domain"):
        for path in (PACKAGE / folder).glob("*.py"):
            if f"{folder}/{path.stem}" not in GENERIC:
                found[f"chalicelib.{folder}.{path.stem}"] = ast.parse(path.read_text())
    return found


def _scan() -> tuple[dict[tuple[str, str], set[tuple[int, str]]], dict[tuple[str, str], set[tuple[str, str]]]]:
    modules = _modules()
    raised: dict[tuple[str, str], set[tuple[int, str]]] = {}
    reaches: dict[tuple[str, str], set[tuple[str, str]]] = {}
    for name, tree in modules.items():
        imports: dict[str, tuple[str, str | None]] = {}  # alias -> (module, function or None for a module)
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("chalicelib"):
                for alias in node.names:
                    full = f"{node.module}.{alias.name}"
                    imports[alias.asname or alias.name] = (full, None) if full in modules else (node.module, alias.name)
        # limits and such: module-level refusals named by a constant (LIMIT.code) are not seen; the
        # operation declares those itself (contract.operation errors=).
        for node in ast.walk(tree):
            if not isinstance(node, ast.FunctionDef):
                continue
            key = (name, node.name)
            codes, refs = raised.setdefault(key, set()), reaches.setdefault(key, set())
            for sub in ast.walk(node):
                if isinstance(sub, ast.Call):
                    func = sub.func
                    called = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
                    if called in STATUS and sub.args and isinstance(sub.args[0], ast.Constant) \
                            and isinstance(sub.args[0].value, str):  # fmt: skip
                        codes.add((STATUS[called], sub.args[0].value))
                    elif called == "InvalidForm":
                        codes.add((400, "form_invalid"))
                if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Load):
                    target = imports.get(sub.id)
                    if target and target[1]:
                        refs.add((target[0], target[1]))
                    elif target is None:
                        refs.add((name, sub.id))
                elif isinstance(sub, ast.Attribute) and isinstance(sub.value, ast.Name):
                    base = imports.get(sub.value.id)
                    if base and base[1] is None:
                        refs.add((base[0], sub.attr))
                    elif sub.value.id in PRINCIPAL_NAMES:
                        refs.add(("chalicelib.services.principals", sub.attr))
                        refs.add((name, sub.attr))
    return raised, reaches


def codes_by_operation() -> dict[str, dict[int, list[str]]]:
    from chalicelib.api.openapi import load_operations

    operations = {(op.method, op.path): op for op in load_operations()}  # every area's
    raised, reaches = _scan()

    def collect(key: tuple[str, str], seen: set[tuple[str, str]]) -> set[tuple[int, str]]:
        if key in seen or key not in raised:
            return set()
        seen.add(key)
        found = set(raised[key])
        for ref in reaches[key]:
            found |= collect(ref, seen)
        return found

    table: dict[str, dict[int, list[str]]] = {}
    for (method, path), op in sorted(operations.items(), key=lambda item: (item[0][1], item[0][0])):
        module, function = op.handler.split(":")
        by_status: dict[int, list[str]] = {}
        for status, code in sorted(collect((module, function), set())):
            by_status.setdefault(status, []).append(code)
        table[f"{method} {path}"] = by_status
    return table


def render(table: dict[str, dict[int, list[str]]]) -> str:
    lines = [f"    {operation!r}: {{{', '.join(f'{s}: {codes!r}' for s, codes in by_status.items())}}},"
             for operation, by_status in table.items()]
    return ('"""The error codes each JSON operation\'s code can raise, by status: written by\n'
            "`python -m tests.api_error_codes` (do not edit by hand); the OpenAPI document lists them.\"\"\"\n\n"
            "# fmt: off\n"
            "ERROR_CODES: dict[str, dict[int, list[str]]] = {\n" + "\n".join(lines) + "\n}\n")


if __name__ == "__main__":
    TARGET.write_text(render(codes_by_operation()))
    print(f"wrote {TARGET.relative_to(ROOT)}")
