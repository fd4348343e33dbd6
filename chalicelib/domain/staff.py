"""The staff member as the citizen meets them: name, title and signature."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

SIGNATURE_MAX = 500


@dataclass(frozen=True, slots=True)
class StaffProfile:
    hsa_id: str
    name: str
    title: str | None  # befattning, from HSA
    own_signature: str | None  # written in their own settings

    def signature(self, day: date) -> str:
        """Their own text if they wrote one; otherwise the automatic one."""
        return self.own_signature or self.automatic_signature(day)

    def automatic_signature(self, day: date) -> str:
        """Name, title from HSA and the day's date, as 1177's staff tool signs."""
        return "\n".join(line for line in (self.name, self.title, day.isoformat()) if line)
