"""bootstrap.ports(): every port of services/ports.py can be made, each on first use."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys

from chalicelib import bootstrap, settings
from chalicelib.services.ports import Ports


def test_every_port_has_its_wiring_and_is_made_once(region):
    ports = bootstrap._Wiring(settings.load())
    assert {f.name for f in dataclasses.fields(Ports)} - {"settings"} == set(bootstrap._FACTORIES)
    for name in bootstrap._FACTORIES:
        first = getattr(ports, name)
        assert getattr(ports, name) is first, name
        assert first is not None or name == "client_key", name


def test_reading_one_port_imports_only_its_adapter(region):
    code = ("import sys; from chalicelib.bootstrap import ports; ports().sessions; "
            "print(sorted(m for m in sys.modules if m.startswith('chalicelib.adapters.')))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=dict(os.environ)).stdout
    assert "chalicelib.adapters.stores" in loaded
    for other in ("inbox", "summons", "cases", "self_tests", "outbox", "oidc"):
        assert f"chalicelib.adapters.{other}'" not in loaded, other
