"""Where a case goes: to the clinic it was sent to, or, for a complaint addressed to the patient
board, to the region's patient board (a unit of its own, with its own queue and staff)."""

from __future__ import annotations

from chalicelib.adapters.tables import UnitRecord
from chalicelib.domain.cases import CaseType
from chalicelib.domain.complaints import PATIENT_BOARD_KIND, addressed_to_patient_board
from chalicelib.errors import Unprocessable
from chalicelib.services.ports import Ports


def patient_board(ports: Ports) -> UnitRecord | None:
    """The region's patient board: one Query of the unit directory."""
    return next((u for u in ports.units.all() if u.kind == PATIENT_BOARD_KIND), None)


def route(ports: Ports, unit: UnitRecord, case_type: CaseType, answers: dict[str, str]) -> tuple[UnitRecord, UnitRecord | None]:
    """(the unit whose queue gets the case, the clinic it is about when that is another unit)."""
    if not addressed_to_patient_board(case_type, answers):
        return unit, None
    board = patient_board(ports)
    if board is None:
        # Never quietly to the clinic: the citizen chose not to write to it.
        raise Unprocessable("no_patient_board", "Regionen tar inte emot synpunkter till patientnämnden här. "
                                                "Kontakta patientnämnden direkt.")
    return board, unit
