"""Case types and cases in DynamoDB (access patterns in tables.py). Taking a case and answering it
are conditional writes: of two staff taking the same case exactly one wins, and an answer on a
case that changed meanwhile (closed, taken by someone else) writes nothing. Every write keeps the
case's place in the queue views (domain/queue.py) and whether it waits for the citizen (the sparse
waiting-for-citizen index, domain/cases.py citizen_waits) in the same update, and writes the change's
domain event in the same transaction."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pynamodb.exceptions import DoesNotExist, TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from chalicelib.adapters import events
from chalicelib.adapters.paging import Position, exclusive_start, one_page
from chalicelib.adapters.tables import (
    AnswerMap,
    CaseRecord,
    CaseTypeRecord,
    EntryMap,
    QuestionMap,
    StandardReplyRecord,
    UnitFigureRecord,
    condition_failed,
)
from chalicelib.domain import queue as views
from chalicelib.domain import unit_figures
from chalicelib.domain.cases import CaseType, CaseTypeStatus, Question, QuestionKind, Status, citizen_waits
from chalicelib.domain.events import DomainEvent
from chalicelib.domain.localized import Localized

CENTRAL = "central"


def question_of(q: QuestionMap) -> Question:
    """A stored question; one written before English was kept has none (it reads as Swedish only)."""
    english = list(q.options_en or ())
    options = tuple(Localized(o, english[n] if n < len(english) else None) for n, o in enumerate(q.options or ()))
    return Question(q.question_id, Localized(q.label, q.label_en), QuestionKind(q.kind), bool(q.required), options,
                    Localized(q.help_text or "", q.help_text_en))  # fmt: skip


def question_map(q: Question) -> QuestionMap:
    english = [o.en or "" for o in q.options]
    return QuestionMap(question_id=q.question_id, label=q.label.sv, label_en=q.label.en, kind=q.kind.value,
                       required=q.required, options=list(q.values), options_en=english if any(english) else None,
                       help_text=q.help_text.sv or None, help_text_en=q.help_text.en)  # fmt: skip


def _case_type(r: CaseTypeRecord, scope: str | None = None) -> CaseType:
    return CaseType(
        r.case_type_id, Localized(r.name, r.name_en), Localized(r.description, r.description_en),
        Localized(r.terms, r.terms_en), tuple(question_of(q) for q in r.questions),
        scope or ("central" if r.owner == CENTRAL else "local"), int(r.version or 1),
        CaseTypeStatus(r.status or CaseTypeStatus.ACTIVE.value),
    )  # fmt: skip


def _not_retired() -> Any:
    return CaseTypeRecord.status.does_not_exist() | (CaseTypeRecord.status != CaseTypeStatus.RETIRED.value)


def _versions_key(case_type_id: str) -> str:
    return f"version#{case_type_id}"


def _record(owner: str, range_key: str, case_type: CaseType, now: datetime | None, by: str | None) -> CaseTypeRecord:
    return CaseTypeRecord(
        owner, range_key, name=case_type.name.sv, name_en=case_type.name.en, description=case_type.description.sv,
        description_en=case_type.description.en, terms=case_type.terms.sv, terms_en=case_type.terms.en,
        questions=[question_map(q) for q in case_type.questions],
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


class FigureChanged(Exception):
    """Another follow-up counted the same case at the same moment; read again."""


class UnitFigureCounts:
    """The counters behind a unit's figures (domain/unit_figures.py) and what each case adds to them."""

    def counts(self, unit_hsa_id: str, now: datetime) -> dict[str, unit_figures.Counter]:
        """Every counter the figures need: one Query of the unit's partition from this hour's due
        cases on (past hours are not read; day counters expire after the 30-day window)."""
        return {r.figure: unit_figures.Counter(int(r.value or 0), tuple(sorted(r.due or ()))) for r in
                UnitFigureRecord.query(f"unit#{unit_hsa_id}", UnitFigureRecord.figure >= unit_figures.first_read(now))}

    def count_case(self, case_id: str, unit_hsa_id: str, version: int, shares: frozenset[str]) -> bool:
        """Move the case's shares to these (as of `version` of the case) and the unit's counters with
        them, in one transaction conditioned on the shares as read: a repeated or older event changes
        nothing (False); FigureChanged when another follow-up counted the case meanwhile."""
        try:
            applied = UnitFigureRecord.get(f"case#{case_id}", "applied", consistent_read=True)
        except DoesNotExist:
            applied = None
        if applied is not None and int(applied.version or 0) >= version:
            return False
        before = frozenset(applied.shares or ()) if applied else frozenset()
        changes: dict[str, tuple[int, set[str], set[str]]] = {}  # counter -> (change, due entries in, out)
        for share, change in [(s, 1) for s in shares - before] + [(s, -1) for s in before - shares]:
            figure, entry = unit_figures.counter_of(share, case_id)
            total, entering, leaving = changes.get(figure, (0, set(), set()))
            if entry is not None:
                (entering if change > 0 else leaving).add(entry)
            changes[figure] = (total + change, entering, leaving)
        try:
            with TransactWrite(connection=UnitFigureRecord._get_connection().connection) as tx:
                actions = [UnitFigureRecord.version.set(version), UnitFigureRecord.unit_hsa_id.set(unit_hsa_id),
                           UnitFigureRecord.shares.set(set(shares)) if shares else UnitFigureRecord.shares.remove()]
                read = (UnitFigureRecord.version == applied.version) if applied is not None \
                    else UnitFigureRecord.figure.does_not_exist()  # fmt: skip
                tx.update(UnitFigureRecord(f"case#{case_id}", "applied"), actions=actions, condition=read)
                for figure, (change, entering, leaving) in sorted(changes.items()):
                    counter = [UnitFigureRecord.value.add(change)]
                    if entering:  # a case's due time never changes: it enters or leaves an hour, not both
                        counter.append(UnitFigureRecord.due.add(entering))
                    elif leaving:
                        counter.append(UnitFigureRecord.due.delete(leaving))
                    if (ends := unit_figures.expires(figure)) is not None:
                        counter.append(UnitFigureRecord.expires_at.set(ends))
                    tx.update(UnitFigureRecord(f"unit#{unit_hsa_id}", figure), actions=counter)
        except TransactWriteError as error:
            if error.cause_response_code == "TransactionCanceledException":
                raise FigureChanged() from None
            raise
        return True


class Cases:
    """Every change of a case is one conditional write with its domain event in the same
    transaction (adapters/events.py); what follows for the citizen runs from the event."""

    figures = UnitFigureCounts()  # the units' figures, kept by the follow-up of every case event

    def create(self, record: CaseRecord, event: DomainEvent) -> None:
        for name, value in _placement(record, status=record.status, handler_hsa_id=record.handler_hsa_id,
                                      citizen_replied=False, closed_at=record.closed_at).as_dict().items():
            setattr(record, name, value)
        for name, value in _waiting(record, record.status, record.care_wrote_at, record.citizen_read_at).items():
            setattr(record, name, value)
        record.citizen_unit = f"{record.citizen_id}#{record.unit_hsa_id}"
        record.last_activity_at = record.last_activity_at or record.created_at
        events.commit(event, lambda tx: tx.save(record, condition=CaseRecord.case_id.does_not_exist()))

    def get(self, case_id: str) -> CaseRecord | None:
        try:
            return CaseRecord.get(case_id, consistent_read=True)
        except DoesNotExist:
            return None

    def queue(self, unit_hsa_id: str) -> list[CaseRecord]:
        """Every open case of the unit, soonest due first (tests and tools; the staff tool reads `page`)."""
        return list(CaseRecord.open_queue.query(unit_hsa_id))

    def of_citizen(self, citizen_id: str) -> list[CaseRecord]:
        """Every case of the citizen (tests and tools; the pages read `citizen_page`)."""
        return list(CaseRecord.by_citizen.query(citizen_id, scan_index_forward=False))

    def waiting_for_citizen(self, citizen_id: str, limit: int) -> list[CaseRecord]:
        """The citizen's cases that wait for them, newest word from care first: one Query of the sparse
        waiting-for-citizen index, at most `limit` items."""
        return list(CaseRecord.waiting_for_citizen.query(citizen_id, scan_index_forward=False, limit=limit,
                                                         page_size=limit))  # fmt: skip

    def seen_by_citizen(self, record: CaseRecord, now: datetime) -> bool:
        """The citizen (or a guardian acting for a child) opened the case: what care wrote is read, and
        the case leaves the waiting index unless care's question still waits for an answer. Not a change
        staff work from (no new version, no event), as reading an inbox message is not; conditioned on
        the status and care's last word as read, so a new answer meanwhile stays unread (False)."""
        read = CaseRecord.care_wrote_at == record.care_wrote_at if record.care_wrote_at \
            else CaseRecord.care_wrote_at.does_not_exist()  # fmt: skip
        actions = [CaseRecord.citizen_read_at.set(now),
                   *_waiting_actions(record, record.status, record.care_wrote_at, now)]  # fmt: skip
        try:
            CaseRecord(record.case_id).update(actions=actions, condition=CaseRecord.case_id.exists()
                                              & (CaseRecord.status == record.status) & read)  # fmt: skip
        except UpdateError as error:
            if condition_failed(error):
                return False
            raise
        return True

    def citizen_page(self, citizen_id: str, limit: int,
                     start: Position | None) -> tuple[list[CaseRecord], Position | None]:  # fmt: skip
        """A page of the citizen's cases, newest first: one Query."""
        results = CaseRecord.by_citizen.query(citizen_id, scan_index_forward=False, page_size=limit + 1,
                                              last_evaluated_key=exclusive_start(start))  # fmt: skip
        return one_page(CaseRecord, results, limit)

    def _update(self, case_id: str, actions: list[Any], condition: Any, event: DomainEvent) -> bool:
        try:
            events.commit(event, lambda tx: tx.update(CaseRecord(case_id), actions=actions,
                                                      condition=CaseRecord.case_id.exists() & condition))
        except events.ConditionLost:
            return False
        return True

    def take(self, record: CaseRecord, staff_hsa_id: str, staff_name: str, now: datetime, event: DomainEvent) -> bool:
        """Exactly one of several staff taking the same unhandled case gets it (the condition is the
        version read and no handler). A new case becomes in progress; a released one keeps its status."""
        status = Status.IN_PROGRESS.value if record.status == Status.NEW.value else record.status
        actions = [CaseRecord.handler_hsa_id.set(staff_hsa_id), CaseRecord.handler_name.set(staff_name),
                   CaseRecord.status.set(status)]  # fmt: skip
        return self._change(record, actions, now, event, status=status, handler_hsa_id=staff_hsa_id,
                            condition=CaseRecord.handler_hsa_id.does_not_exist())  # fmt: skip

    def release(self, record: CaseRecord, staff_hsa_id: str, now: datetime, event: DomainEvent) -> bool:
        """The handler gives the case back to the unit (Otilldelade)."""
        return self._change(record, [CaseRecord.handler_hsa_id.remove(), CaseRecord.handler_name.remove()], now,
                            event, handler_hsa_id=None, condition=CaseRecord.handler_hsa_id == staff_hsa_id)  # fmt: skip

    def reassign(self, record: CaseRecord, to_hsa_id: str, to_name: str, now: datetime, event: DomainEvent) -> bool:
        """A colleague becomes handler: exactly one of two racing changes to the same version wins."""
        status = Status.IN_PROGRESS.value if record.status == Status.NEW.value else record.status
        actions = [CaseRecord.handler_hsa_id.set(to_hsa_id), CaseRecord.handler_name.set(to_name),
                   CaseRecord.status.set(status)]  # fmt: skip
        return self._change(record, actions, now, event, status=status, handler_hsa_id=to_hsa_id)

    def remind(self, record: CaseRecord, entry: EntryMap, now: datetime, event: DomainEvent) -> bool:
        """A reminder to a citizen who has not answered a counter-question; the case keeps waiting."""
        actions = [CaseRecord.conversation.set(CaseRecord.conversation.append([entry])), CaseRecord.reminded_at.set(now)]
        return self._change(record, actions, now, event, condition=CaseRecord.status == Status.WAITING_FOR_CITIZEN.value,
                            care_wrote=True)  # fmt: skip

    def close(self, record: CaseRecord, entry: EntryMap | None, now: datetime, event: DomainEvent, *,
              told: bool | None = None) -> bool:  # fmt: skip
        """Staff close an open case (a counter-question the citizen never answered). `told`: the entry
        is words to the citizen (by default, whenever there is an entry); closed without words, it no
        longer waits for them unless something care wrote before is still unread."""
        actions = [CaseRecord.status.set(Status.CLOSED.value), CaseRecord.open_unit.remove(),
                   CaseRecord.closed_at.set(now)]  # fmt: skip
        if entry is not None:
            actions.append(CaseRecord.conversation.set(CaseRecord.conversation.append([entry])))
        return self._change(record, actions, now, event, status=Status.CLOSED.value, closed_at=now,
                            condition=CaseRecord.status != Status.CLOSED.value,
                            care_wrote=entry is not None if told is None else told, citizen_view=True)  # fmt: skip

    def _change(self, record: CaseRecord, actions: list[Any], now: datetime, event: DomainEvent, *,
                status: str | None = None,
                handler_hsa_id: Any = "keep", citizen_replied: bool | None = None, closed_at: datetime | None = None,
                condition: Any = None, care_wrote: bool = False, citizen_read: bool = False,
                citizen_view: bool = False) -> bool:  # fmt: skip
        """One conditional update on the version read, with its event: the change, the case's new place
        in the queue views and its last activity. False when the case changed meanwhile.

        `care_wrote` (staff wrote to the citizen now), `citizen_read` (the citizen replied now) or
        `citizen_view` (the status changed in a way that may end the wait): whether the case waits for
        the citizen is set again. Without news either way it is worked out from when the citizen last
        read, which their reading does not version: the update is then also conditioned on that."""
        placed = _placement(record, status=status or record.status,
                            handler_hsa_id=record.handler_hsa_id if handler_hsa_id == "keep" else handler_hsa_id,
                            citizen_replied=bool(record.citizen_replied_at) if citizen_replied is None else citizen_replied,
                            closed_at=closed_at or record.closed_at)  # fmt: skip
        actions = [*actions, *_placement_actions(placed), CaseRecord.last_activity_at.set(now), CaseRecord.version.add(1)]
        if citizen_replied is not None:
            actions.append(CaseRecord.citizen_replied_at.set(now) if citizen_replied
                           else CaseRecord.citizen_replied_at.remove())  # fmt: skip
        guard = CaseRecord.version == record.version
        if care_wrote or citizen_read or citizen_view:
            wrote = now if care_wrote else record.care_wrote_at
            read = now if citizen_read else record.citizen_read_at
            actions += _waiting_actions(record, status or record.status, wrote, read)
            if care_wrote:
                actions.append(CaseRecord.care_wrote_at.set(now))
            if citizen_read:
                actions.append(CaseRecord.citizen_read_at.set(now))
            if not care_wrote and not citizen_read:
                guard &= CaseRecord.citizen_read_at == read if read else CaseRecord.citizen_read_at.does_not_exist()
        return self._update(record.case_id, actions, guard if condition is None else guard & condition, event)

    def add_entry(self, record: CaseRecord, entry: EntryMap, status: Status, now: datetime, event: DomainEvent,
                  expect_status: tuple[Status, ...], handler_hsa_id: str | None = None,
                  answers: list[AnswerMap] | None = None) -> bool:  # fmt: skip
        """An answer, counter-question or the citizen's reply (with an invånarärende's answers), with
        the status it leads to."""
        actions = [CaseRecord.conversation.set(CaseRecord.conversation.append([entry])),
                   CaseRecord.status.set(status.value)]  # fmt: skip
        if answers:
            actions.append(CaseRecord.answers.set(answers))
        if status is Status.CLOSED:
            actions += [CaseRecord.open_unit.remove(), CaseRecord.closed_at.set(now)]
        if entry.author == "staff":
            actions.append(CaseRecord.first_answered_at.set(CaseRecord.first_answered_at | now))
        condition = CaseRecord.status.is_in(*(s.value for s in expect_status))
        if handler_hsa_id is not None:
            condition = condition & (CaseRecord.handler_hsa_id == handler_hsa_id)
        return self._change(record, actions, now, event, status=status.value, citizen_replied=entry.author == "citizen",
                            closed_at=now if status is Status.CLOSED else None, condition=condition,
                            care_wrote=entry.author == "staff", citizen_read=entry.author == "citizen")  # fmt: skip

    # -- the queue views: one Query each -----------------------------------------------------------

    def page(self, view: views.View, unit_hsa_id: str, staff_hsa_id: str, now: datetime, cursor: str | None,
             limit: int = views.PAGE_SIZE) -> tuple[list[CaseRecord], str | None]:  # fmt: skip
        """One page of a view and the cursor of the next (None on the last page): one Query, asking for
        one more than a page to know whether another follows."""
        attribute, value = views.partition(view, unit_hsa_id, staff_hsa_id)
        start = None
        if cursor:
            sort_key, case_id = views.decode_cursor(view, cursor)
            range_name = "closed_key" if view is views.View.CLOSED else "queue_key"
            start = {"case_id": {"S": case_id}, attribute: {"S": value}, range_name: {"S": sort_key}}
        if view is views.View.CLOSED:
            since = (now - timedelta(days=views.CLOSED_DAYS)).isoformat()
            found = CaseRecord.closed_recent.query(value, CaseRecord.closed_key >= since, scan_index_forward=False,
                                                   limit=limit + 1, page_size=limit + 1, last_evaluated_key=start)
        else:
            index = CaseRecord.queue_handler if attribute == "handler_queue" else CaseRecord.queue_state
            found = index.query(value, limit=limit + 1, page_size=limit + 1, last_evaluated_key=start)
        records = list(found)
        if len(records) <= limit:
            return records, None
        last = records[limit - 1]
        sort_key = last.closed_key if view is views.View.CLOSED else last.queue_key
        return records[:limit], views.encode_cursor(view, sort_key, last.case_id)

    def of_citizen_at_unit(self, citizen_id: str, unit_hsa_id: str, limit: int = 50) -> list[CaseRecord]:
        """A person's latest cases at one unit, newest first: one Query."""
        return list(CaseRecord.by_citizen_unit.query(f"{citizen_id}#{unit_hsa_id}", scan_index_forward=False,
                                                     limit=limit, page_size=limit))  # fmt: skip


def _placement(record: CaseRecord, *, status: str, handler_hsa_id: str | None, citizen_replied: bool,
               closed_at: datetime | None) -> views.Placement:  # fmt: skip
    return views.placement(unit_hsa_id=record.unit_hsa_id, case_id=record.case_id, status=status,
                           handler_hsa_id=handler_hsa_id, citizen_replied=citizen_replied, due_at=record.due_at,
                           created_at=record.created_at, closed_at=closed_at)  # fmt: skip


def _waiting(record: CaseRecord, status: str, care_wrote_at: datetime | None,
             citizen_read_at: datetime | None) -> dict[str, str | None]:  # fmt: skip
    """The waiting-for-citizen index's keys for the case as it will stand (None: not in the index)."""
    if citizen_waits(Status(status), care_wrote_at, citizen_read_at) is None:
        return {"waiting_citizen": None, "waiting_key": None}
    since = care_wrote_at or record.created_at
    return {"waiting_citizen": record.citizen_id, "waiting_key": f"{since.isoformat()}#{record.case_id}"}


def _waiting_actions(record: CaseRecord, status: str, care_wrote_at: datetime | None,
                     citizen_read_at: datetime | None) -> list[Any]:  # fmt: skip
    return [getattr(CaseRecord, name).remove() if value is None else getattr(CaseRecord, name).set(value)
            for name, value in _waiting(record, status, care_wrote_at, citizen_read_at).items()]


def _placement_actions(placed: views.Placement) -> list[Any]:
    actions = []
    for name, value in placed.as_dict().items():
        attribute = getattr(CaseRecord, name)
        actions.append(attribute.remove() if value is None else attribute.set(value))
    return actions


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
