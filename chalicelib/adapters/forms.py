"""Forms in DynamoDB: the region's definitions (FHIR Questionnaires by version), the units'
subscriptions with their follow-up figures, and the forms sent to people with their drafts and
answers. Every change is written with its domain event (adapters/events.py); the figures a staff
page shows are kept in the same transaction as the change that moves them. Access patterns: the
forms rows of tables.py's table.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pynamodb.exceptions import DoesNotExist
from pynamodb.transactions import TransactWrite

from chalicelib.adapters import events
from chalicelib.adapters.batch_writes import Failed, Part, commit_many
from chalicelib.adapters.paging import Position, exclusive_start, one_page
from chalicelib.adapters.tables import (
    FormDefinitionRecord,
    FormPackageRecord,
    FormRequestRecord,
    FormValidityRecord,
    UnitFormRecord,
    usable_key,
)
from chalicelib.domain.events import DomainEvent
from chalicelib.domain.forms import RequestStatus
from chalicelib.domain.localized import Localized

CATALOGUE = "region"
MAX_UNIT_FORMS = 200  # the forms one unit subscribes to: a page of the dispatch module, never more


def title_key(title: str, form_id: str) -> str:
    return f"{title.casefold()[:80]}#{form_id}"


class FormDefinitions:
    def get(self, form_id: str, version: int) -> FormDefinitionRecord | None:
        if not usable_key(form_id):
            return None
        try:
            return FormDefinitionRecord.get(form_id, version)
        except DoesNotExist:
            return None

    def current(self, form_id: str) -> FormDefinitionRecord | None:
        """The form's newest version: one Query, newest first, one item."""
        if not usable_key(form_id):
            return None
        return next(iter(FormDefinitionRecord.query(form_id, scan_index_forward=False, limit=1, page_size=1)), None)

    def page(self, limit: int, start: Position | None) -> tuple[list[FormDefinitionRecord], Position | None]:
        """A page of the region's forms by title (their current versions)."""
        results = FormDefinitionRecord.catalogue.query(CATALOGUE, page_size=limit + 1,
                                                       last_evaluated_key=exclusive_start(start))  # fmt: skip
        return one_page(FormDefinitionRecord, results, limit)

    def publish(self, record: FormDefinitionRecord, previous: FormDefinitionRecord | None,
                happened: DomainEvent) -> None:  # fmt: skip
        """A new version, current from now (the previous one leaves the catalogue in the same
        transaction). Raises events.ConditionLost when someone published a version first."""
        record.listed = CATALOGUE
        record.title_key = title_key(record.title, record.form_id)

        def write(tx: TransactWrite) -> None:
            tx.save(record, condition=FormDefinitionRecord.form_id.does_not_exist())
            if previous is not None:
                tx.update(previous, actions=[FormDefinitionRecord.listed.remove(), FormDefinitionRecord.title_key.remove()],
                          condition=FormDefinitionRecord.listed.exists())  # fmt: skip

        events.commit(happened, write)

    def titles(self, keys: set[tuple[str, int]]) -> dict[tuple[str, int], Localized]:
        """The titles of these form versions: one BatchGetItem (a hundred a request)."""
        if not keys:
            return {}
        found = FormDefinitionRecord.batch_get(sorted(keys), attributes_to_get=["form_id", "version", "title", "title_en"])
        return {(r.form_id, int(r.version)): Localized(r.title, r.title_en) for r in found}

    def set_status(self, record: FormDefinitionRecord, status: str, happened: DomainEvent) -> None:
        events.commit(happened, lambda tx: tx.update(record, actions=[FormDefinitionRecord.status.set(status)],
                                                     condition=FormDefinitionRecord.listed.exists()))  # fmt: skip


class UnitForms:
    def get(self, unit_hsa_id: str, form_id: str) -> UnitFormRecord | None:
        if not (usable_key(unit_hsa_id) and usable_key(form_id)):
            return None
        try:
            return UnitFormRecord.get(unit_hsa_id, form_id)
        except DoesNotExist:
            return None

    def of_unit(self, unit_hsa_id: str) -> list[UnitFormRecord]:
        """The unit's subscriptions: one Query of at most MAX_UNIT_FORMS."""
        return list(UnitFormRecord.query(unit_hsa_id, limit=MAX_UNIT_FORMS, page_size=MAX_UNIT_FORMS))

    def subscribe(self, record: UnitFormRecord, happened: DomainEvent) -> None:
        events.commit(happened, lambda tx: tx.save(record, condition=UnitFormRecord.form_id.does_not_exist()))

    def update(self, record: UnitFormRecord, actions: list[Any], happened: DomainEvent, *,
               in_use: bool | None = None) -> None:  # fmt: skip
        """A change of the subscription with its event; `in_use` True: only while the unit uses the form,
        False: only once it stopped (else events.ConditionLost)."""
        condition = UnitFormRecord.form_id.exists()
        if in_use is True:
            condition &= UnitFormRecord.stopped_at.does_not_exist()
        elif in_use is False:
            condition &= UnitFormRecord.stopped_at.exists()
        events.commit(happened, lambda tx: tx.update(record, actions=actions, condition=condition))


def _figure(unit_hsa_id: str, form_id: str, **changes: int) -> tuple[str, Any]:
    def add(tx: TransactWrite) -> None:
        tx.update(UnitFormRecord(unit_hsa_id, form_id),
                  actions=[getattr(UnitFormRecord, name).add(n) for name, n in changes.items()])  # fmt: skip

    return "figures", add


class FormRequests:
    def get(self, request_id: str) -> FormRequestRecord | None:
        if not usable_key(request_id):
            return None
        try:
            return FormRequestRecord.get(request_id)
        except DoesNotExist:
            return None

    def get_many(self, request_ids: Sequence[str]) -> list[FormRequestRecord]:
        """BatchGetItem, a hundred a request."""
        return list(FormRequestRecord.batch_get(list(dict.fromkeys(request_ids))))

    def send_many(self, sent: Sequence[tuple[FormRequestRecord, DomainEvent]]) -> list[tuple[FormRequestRecord, DomainEvent]]:
        """New forms in people's inboxes with their `form.sent` events, fifty to a transaction, the
        unit's "sent" figure kept in each; a form already sent (the same request id: a retried
        dispatch) is left as it is. Returns the ones written now."""
        for record, _ in sent:
            record.open_owner = record.citizen_id
            record.due_key = f"{record.due_on}#{record.request_id}"
            record.due_day = record.due_on
            record.remind_day = record.remind_on

        def parts(change: tuple[FormRequestRecord, DomainEvent]) -> list[Part]:
            record, happened = change
            return [("request", lambda tx: tx.save(record, condition=FormRequestRecord.request_id.does_not_exist())),
                    ("event", lambda tx: events.add_event(tx, happened))]  # fmt: skip

        def shared(changes: list[tuple[FormRequestRecord, DomainEvent]]) -> list[Part]:
            per_form: dict[tuple[str, str], int] = {}
            for record, _ in changes:
                key = (record.unit_hsa_id, record.form_id)
                per_form[key] = per_form.get(key, 0) + 1
            return [_figure(unit, form, sent=n) for (unit, form), n in per_form.items()]

        def mend(changes: list[tuple[FormRequestRecord, DomainEvent]], failed: list[Failed]) -> list[Any]:
            taken = {id(c) for c, what in failed if c is not None and what == "request"}
            return [c for c in changes if id(c) not in taken]

        return commit_many(list(sent), parts, mend=mend, shared_of=shared)

    def save_draft(self, record: FormRequestRecord, draft: str, now: datetime, happened: DomainEvent) -> None:
        """The half-done answers kept; only while the form is still unanswered."""
        events.commit(happened, lambda tx: tx.update(
            record, actions=[FormRequestRecord.draft.set(draft), FormRequestRecord.draft_saved_at.set(now)],
            condition=FormRequestRecord.status == RequestStatus.SENT.value))  # fmt: skip

    def answer(self, record: FormRequestRecord, response: str, now: datetime, answered_by: str, score: str | None,
               flagged: bool, validity: FormValidityRecord | None, happened: DomainEvent) -> None:  # fmt: skip
        """The answer sent: once (a second send, from another tab, loses with ConditionLost); the unit's
        figures and a health declaration's validity in the same transaction."""
        actions = [
            FormRequestRecord.status.set(RequestStatus.ANSWERED.value), FormRequestRecord.response.set(response),
            FormRequestRecord.answered_at.set(now), FormRequestRecord.answered_by.set(answered_by),
            FormRequestRecord.flagged.set(flagged), FormRequestRecord.draft.remove(),
            FormRequestRecord.open_owner.remove(), FormRequestRecord.due_key.remove(),
            FormRequestRecord.due_day.remove(), FormRequestRecord.remind_day.remove(),
        ]  # fmt: skip
        if score is not None:
            actions.append(FormRequestRecord.score.set(score))

        def write(tx: TransactWrite) -> None:
            tx.update(record, actions=actions, condition=FormRequestRecord.status == RequestStatus.SENT.value)
            _, figures = _figure(record.unit_hsa_id, record.form_id, answered=1,
                                 **({"overdue": -1} if record.overdue else {}))  # fmt: skip
            figures(tx)
            if validity is not None:
                tx.save(validity)

        events.commit(happened, write)

    def remind(self, record: FormRequestRecord, now: datetime, happened: DomainEvent) -> None:
        events.commit(happened, lambda tx: tx.update(
            record, actions=[FormRequestRecord.reminded_at.set(now), FormRequestRecord.remind_day.remove()],
            condition=(FormRequestRecord.status == RequestStatus.SENT.value) & FormRequestRecord.remind_day.exists()))

    def mark_overdue(self, record: FormRequestRecord, happened: DomainEvent) -> None:
        def write(tx: TransactWrite) -> None:
            tx.update(record, actions=[FormRequestRecord.overdue.set(True), FormRequestRecord.due_day.remove()],
                      condition=(FormRequestRecord.status == RequestStatus.SENT.value)
                      & FormRequestRecord.due_day.exists())  # fmt: skip
            _figure(record.unit_hsa_id, record.form_id, overdue=1)[1](tx)

        events.commit(happened, write)

    def withdraw(self, record: FormRequestRecord, happened: DomainEvent) -> None:
        def write(tx: TransactWrite) -> None:
            tx.update(record, actions=[
                FormRequestRecord.status.set(RequestStatus.WITHDRAWN.value), FormRequestRecord.draft.remove(),
                FormRequestRecord.open_owner.remove(), FormRequestRecord.due_key.remove(),
                FormRequestRecord.due_day.remove(), FormRequestRecord.remind_day.remove()],
                condition=FormRequestRecord.status == RequestStatus.SENT.value)  # fmt: skip
            _figure(record.unit_hsa_id, record.form_id, sent=-1, **({"overdue": -1} if record.overdue else {}))[1](tx)

        events.commit(happened, write)

    def exported(self, record: FormRequestRecord, now: datetime, purge_day: str, happened: DomainEvent) -> None:
        """Exported (PDF or JSON, by staff or a care system): the purge is set from the first export."""
        events.commit(happened, lambda tx: tx.update(
            record, actions=[FormRequestRecord.exported_at.set(now), FormRequestRecord.purge_day.set(purge_day)],
            condition=(FormRequestRecord.status == RequestStatus.ANSWERED.value)
            & FormRequestRecord.exported_at.does_not_exist()))  # fmt: skip

    def purge(self, record: FormRequestRecord, now: datetime, happened: DomainEvent) -> None:
        """The answers gone; what remains says a form was sent, answered and purged, and when."""
        events.commit(happened, lambda tx: tx.update(
            record, actions=[FormRequestRecord.status.set(RequestStatus.PURGED.value),
                             FormRequestRecord.response.remove(), FormRequestRecord.score.remove(),
                             FormRequestRecord.purged_at.set(now), FormRequestRecord.purge_day.remove()],
            condition=(FormRequestRecord.status == RequestStatus.ANSWERED.value)
            & FormRequestRecord.purge_day.exists()))  # fmt: skip

    def page_of_citizen(self, citizen_id: str, limit: int,
                        start: Position | None) -> tuple[list[FormRequestRecord], Position | None]:  # fmt: skip
        results = FormRequestRecord.by_citizen.query(citizen_id, scan_index_forward=False, page_size=limit + 1,
                                                     last_evaluated_key=exclusive_start(start))  # fmt: skip
        return one_page(FormRequestRecord, results, limit)

    def open_of_citizen(self, citizen_id: str, limit: int) -> list[FormRequestRecord]:
        """The person's forms to fill in, soonest due first: one Query of the sparse open index."""
        return list(FormRequestRecord.open_by_due.query(citizen_id, limit=limit, page_size=limit))

    def page_of_unit_form(self, unit_hsa_id: str, form_id: str, limit: int,
                          start: Position | None) -> tuple[list[FormRequestRecord], Position | None]:  # fmt: skip
        results = FormRequestRecord.by_unit_form.query(f"{unit_hsa_id}#{form_id}", scan_index_forward=False,
                                                       page_size=limit + 1,
                                                       last_evaluated_key=exclusive_start(start))  # fmt: skip
        return one_page(FormRequestRecord, results, limit)

    def on_day(self, job: str, day: str, limit: int,
               start: Position | None) -> tuple[list[FormRequestRecord], Position | None]:  # fmt: skip
        """A page of what the daily job `job` ("remind", "due", "purge") has to do on `day`."""
        index = {"remind": FormRequestRecord.remind_on_day, "due": FormRequestRecord.due_on_day,
                 "purge": FormRequestRecord.purge_on_day}[job]  # fmt: skip
        results = index.query(day, page_size=limit + 1, last_evaluated_key=exclusive_start(start))
        return one_page(FormRequestRecord, results, limit)


class FormPackages:
    def create(self, record: FormPackageRecord, happened: DomainEvent) -> None:
        record.created_key = f"{record.created_at.isoformat()}#{record.package_id}"
        events.commit(happened, lambda tx: tx.save(record, condition=FormPackageRecord.package_id.does_not_exist()))

    def get(self, package_id: str) -> FormPackageRecord | None:
        if not usable_key(package_id):
            return None
        try:
            return FormPackageRecord.get(package_id)
        except DoesNotExist:
            return None

    def page_of_unit(self, unit_hsa_id: str, limit: int,
                     start: Position | None) -> tuple[list[FormPackageRecord], Position | None]:  # fmt: skip
        """A page of the unit's packages, newest first: one Query of the index by-unit."""
        results = FormPackageRecord.by_unit.query(unit_hsa_id, scan_index_forward=False, page_size=limit + 1,
                                                  last_evaluated_key=exclusive_start(start))  # fmt: skip
        return one_page(FormPackageRecord, results, limit)

    def part_sent(self, record: FormPackageRecord, part: int, happened: DomainEvent) -> None:
        """Marks a part sent, once: a second firing of its schedule loses with ConditionLost."""
        events.commit(happened, lambda tx: tx.update(
            record, actions=[FormPackageRecord.sent_parts.add({str(part)})],
            condition=FormPackageRecord.package_id.exists() & ~FormPackageRecord.sent_parts.contains(str(part))))


class FormValidity:
    def get(self, citizen_id: str, form_id: str) -> FormValidityRecord | None:
        try:
            return FormValidityRecord.get(citizen_id, form_id)
        except DoesNotExist:
            return None

    def get_many(self, citizen_ids: Sequence[str], form_id: str) -> dict[str, FormValidityRecord]:
        """BatchGetItem, a hundred people a call."""
        keys = [(c, form_id) for c in dict.fromkeys(citizen_ids)]
        return {r.citizen_id: r for r in FormValidityRecord.batch_get(keys)}
