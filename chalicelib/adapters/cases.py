"""Case types and cases in DynamoDB (access patterns in tables.py). Taking a case and answering it
are conditional writes: of two staff taking the same case exactly one wins, and an answer on a
case that changed meanwhile (closed, taken by someone else) writes nothing."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pynamodb.exceptions import DoesNotExist, UpdateError

from chalicelib.adapters.tables import (
    CaseRecord,
    CaseTypeRecord,
    EntryMap,
    QuestionMap,
    StandardReplyRecord,
    condition_failed,
)
from chalicelib.domain.cases import CaseType, Question, QuestionKind, Status

CENTRAL = "central"


def _case_type(r: CaseTypeRecord) -> CaseType:
    return CaseType(
        r.case_type_id, r.name, r.description, r.terms,
        tuple(Question(q.question_id, q.label, QuestionKind(q.kind), bool(q.required), tuple(q.options or ()))
              for q in r.questions),
        "central" if r.owner == CENTRAL else "local",
    )  # fmt: skip


class CaseTypes:
    def central(self) -> list[CaseType]:
        return [_case_type(r) for r in CaseTypeRecord.query(CENTRAL)]

    def local(self, unit_hsa_id: str) -> list[CaseType]:
        return [_case_type(r) for r in CaseTypeRecord.query(unit_hsa_id)]

    def save(self, owner: str, case_type: CaseType) -> None:
        CaseTypeRecord(
            owner, case_type.case_type_id, name=case_type.name, description=case_type.description,
            terms=case_type.terms,
            questions=[QuestionMap(question_id=q.question_id, label=q.label, kind=q.kind.value, required=q.required,
                                   options=list(q.options)) for q in case_type.questions],
        ).save()  # fmt: skip


class Cases:
    def create(self, record: CaseRecord) -> None:
        record.save(condition=CaseRecord.case_id.does_not_exist())

    def get(self, case_id: str) -> CaseRecord | None:
        try:
            return CaseRecord.get(case_id, consistent_read=True)
        except DoesNotExist:
            return None

    def queue(self, unit_hsa_id: str) -> list[CaseRecord]:
        """The unit's open cases, soonest due first: one Query."""
        return list(CaseRecord.open_queue.query(unit_hsa_id))

    def since(self, unit_hsa_id: str, start: datetime) -> list[CaseRecord]:
        """The unit's cases that arrived from `start` on: one Query."""
        return list(CaseRecord.by_unit.query(unit_hsa_id, CaseRecord.created_key >= start.isoformat()))

    def of_citizen(self, citizen_id: str) -> list[CaseRecord]:
        return list(CaseRecord.by_citizen.query(citizen_id, scan_index_forward=False))

    def _update(self, case_id: str, actions: list[Any], condition: Any) -> bool:
        try:
            CaseRecord(case_id).update(actions=actions, condition=CaseRecord.case_id.exists() & condition)
        except UpdateError as error:
            if condition_failed(error):
                return False
            raise
        return True

    def take(self, case_id: str, staff_hsa_id: str, staff_name: str) -> bool:
        """Exactly one of several staff taking the same new case gets it."""
        return self._update(case_id, [
            CaseRecord.handler_hsa_id.set(staff_hsa_id), CaseRecord.handler_name.set(staff_name),
            CaseRecord.status.set(Status.IN_PROGRESS.value), CaseRecord.version.add(1),
        ], CaseRecord.handler_hsa_id.does_not_exist() & (CaseRecord.status == Status.NEW.value))  # fmt: skip

    def add_entry(self, record: CaseRecord, entry: EntryMap, status: Status, now: datetime,
                  expect_status: tuple[Status, ...], handler_hsa_id: str | None = None) -> bool:  # fmt: skip
        """An answer, counter-question or the citizen's reply, with the status it leads to."""
        actions = [CaseRecord.conversation.set(CaseRecord.conversation.append([entry])),
                   CaseRecord.status.set(status.value), CaseRecord.version.add(1)]  # fmt: skip
        if status is Status.CLOSED:
            actions += [CaseRecord.open_unit.remove(), CaseRecord.closed_at.set(now)]
        if entry.author == "staff":
            actions.append(CaseRecord.first_answered_at.set(CaseRecord.first_answered_at | now))
        condition = CaseRecord.status.is_in(*(s.value for s in expect_status)) & (CaseRecord.version == record.version)
        if handler_hsa_id is not None:
            condition = condition & (CaseRecord.handler_hsa_id == handler_hsa_id)
        return self._update(record.case_id, actions, condition)


class StandardReplies:
    def of_unit(self, unit_hsa_id: str) -> list[StandardReplyRecord]:
        return list(StandardReplyRecord.query(unit_hsa_id))

    def save(self, unit_hsa_id: str, reply_id: str, title: str, text: str) -> None:
        StandardReplyRecord(unit_hsa_id, reply_id, title=title, text=text).save()

    def delete(self, unit_hsa_id: str, reply_id: str) -> None:
        StandardReplyRecord(unit_hsa_id, reply_id).delete()
