"""Case types and cases in DynamoDB (access patterns in tables.py). Taking a case and answering it
are conditional writes: of two staff taking the same case exactly one wins, and an answer on a
case that changed meanwhile (closed, taken by someone else) writes nothing."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pynamodb.exceptions import DoesNotExist, TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from chalicelib.adapters.tables import (
    CaseRecord,
    CaseTypeRecord,
    EntryMap,
    QuestionMap,
    StandardReplyRecord,
    condition_failed,
)
from chalicelib.domain.cases import CaseType, CaseTypeStatus, Question, QuestionKind, Status

CENTRAL = "central"


def _case_type(r: CaseTypeRecord, scope: str | None = None) -> CaseType:
    return CaseType(
        r.case_type_id, r.name, r.description, r.terms,
        tuple(Question(q.question_id, q.label, QuestionKind(q.kind), bool(q.required), tuple(q.options or ()),
                       q.help_text or "")
              for q in r.questions),
        scope or ("central" if r.owner == CENTRAL else "local"), int(r.version or 1),
        CaseTypeStatus(r.status or CaseTypeStatus.ACTIVE.value),
    )  # fmt: skip


def _not_retired() -> Any:
    return CaseTypeRecord.status.does_not_exist() | (CaseTypeRecord.status != CaseTypeStatus.RETIRED.value)


def _versions_key(case_type_id: str) -> str:
    return f"version#{case_type_id}"


def _record(owner: str, range_key: str, case_type: CaseType, now: datetime | None, by: str | None) -> CaseTypeRecord:
    return CaseTypeRecord(
        owner, range_key, name=case_type.name, description=case_type.description, terms=case_type.terms,
        questions=[QuestionMap(question_id=q.question_id, label=q.label, kind=q.kind.value, required=q.required,
                               options=list(q.options), help_text=q.help_text or None) for q in case_type.questions],
        version=case_type.version, status=case_type.status.value, scope=case_type.scope, updated_at=now,
        updated_by=by,
    )  # fmt: skip


class CaseTypes:
    def central(self) -> list[CaseType]:
        """Every central case type, retired ones too (callers choose): one Query."""
        return [_case_type(r) for r in CaseTypeRecord.query(CENTRAL)]

    def local(self, unit_hsa_id: str) -> list[CaseType]:
        return [_case_type(r) for r in CaseTypeRecord.query(unit_hsa_id)]

    def get(self, owner: str, case_type_id: str) -> CaseType | None:
        try:
            return _case_type(CaseTypeRecord.get(owner, case_type_id, consistent_read=True))
        except DoesNotExist:
            return None

    def version(self, case_type_id: str, version: int) -> CaseType | None:
        """The case type as it was in that version."""
        try:
            record = CaseTypeRecord.get(_versions_key(case_type_id), f"{version:06d}")
        except DoesNotExist:
            return None
        return _case_type(record, record.scope)

    def save(self, owner: str, case_type: CaseType) -> None:
        """Write the case type as it is (Region Demo's seed), with its version beside it."""
        _record(owner, case_type.case_type_id, case_type, None, None).save()
        _record(_versions_key(case_type.case_type_id), f"{case_type.version:06d}", case_type, None, None).save()

    def create(self, owner: str, case_type: CaseType, now: datetime, by: str) -> bool:
        """A new case type and its first version; False if the id is taken."""
        return self._write(owner, case_type, now, by, CaseTypeRecord.case_type_id.does_not_exist())

    def edit(self, owner: str, case_type: CaseType, now: datetime, by: str) -> bool:
        """`case_type` is the new version (the one read plus one): written only if the one stored is
        still the one read and not retired, with the new version beside it. Of two admins saving the
        same version exactly one wins."""
        read = CaseTypeRecord.version == case_type.version - 1
        if case_type.version == 2:  # written before versions were kept: no version attribute yet
            read = read | CaseTypeRecord.version.does_not_exist()
        condition = read & _not_retired()
        return self._write(owner, case_type, now, by, CaseTypeRecord.case_type_id.exists() & condition)

    def _write(self, owner: str, case_type: CaseType, now: datetime, by: str, condition: Any) -> bool:
        try:
            with TransactWrite(connection=CaseTypeRecord._get_connection().connection) as tx:
                tx.save(_record(owner, case_type.case_type_id, case_type, now, by), condition=condition)
                tx.save(_record(_versions_key(case_type.case_type_id), f"{case_type.version:06d}", case_type, now, by),
                        condition=CaseTypeRecord.case_type_id.does_not_exist())  # fmt: skip
        except TransactWriteError as error:
            if error.cause_response_code == "TransactionCanceledException":
                return False
            raise
        return True

    def set_status(self, owner: str, case_type_id: str, status: CaseTypeStatus) -> bool:
        """Pause, resume or retire; a retired case type stays retired."""
        try:
            CaseTypeRecord(owner, case_type_id).update(
                actions=[CaseTypeRecord.status.set(status.value)],
                condition=CaseTypeRecord.case_type_id.exists() & _not_retired(),
            )
        except UpdateError as error:
            if condition_failed(error):
                return False
            raise
        return True


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


def _offered(record: StandardReplyRecord) -> bool:
    return (record.status or "active") == "active"


class StandardReplies:
    def of_unit(self, unit_hsa_id: str) -> list[StandardReplyRecord]:
        """The replies staff may use now (not paused, not retired): one Query."""
        return [r for r in StandardReplyRecord.query(unit_hsa_id) if _offered(r)]

    def kept_by_unit(self, unit_hsa_id: str) -> list[StandardReplyRecord]:
        """For the local admin: active and paused ones (retired ones are gone from every list)."""
        return [r for r in StandardReplyRecord.query(unit_hsa_id) if r.status != "retired"]

    def edit(self, unit_hsa_id: str, reply_id: str, title: str, text: str) -> bool:
        """Change an existing, not retired reply's title and text; its status stays."""
        return self._update(unit_hsa_id, reply_id, [StandardReplyRecord.title.set(title),
                                                    StandardReplyRecord.text.set(text)])  # fmt: skip

    def set_status(self, unit_hsa_id: str, reply_id: str, status: str) -> bool:
        return self._update(unit_hsa_id, reply_id, [StandardReplyRecord.status.set(status)])

    def _update(self, unit_hsa_id: str, reply_id: str, actions: list[Any]) -> bool:
        try:
            StandardReplyRecord(unit_hsa_id, reply_id).update(
                actions=actions,
                condition=StandardReplyRecord.reply_id.exists()
                & (StandardReplyRecord.status.does_not_exist() | (StandardReplyRecord.status != "retired")),
            )
        except UpdateError as error:
            if condition_failed(error):
                return False
            raise
        return True

    def save(self, unit_hsa_id: str, reply_id: str, title: str, text: str) -> None:
        StandardReplyRecord(unit_hsa_id, reply_id, title=title, text=text).save()

    def delete(self, unit_hsa_id: str, reply_id: str) -> None:
        StandardReplyRecord(unit_hsa_id, reply_id).delete()
