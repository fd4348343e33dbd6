"""One-time EventBridge Scheduler schedules (`at(...)` in Stockholm time), each deleted by Scheduler
after it runs: a booking's online-change cutoff, a form package's dispatch day. The local stack's
scheduler fires them too (local/scheduler.py); moto only stores them."""

from __future__ import annotations

import json
from datetime import datetime
from functools import cached_property
from typing import Any

from chalicelib.adapters import aws
from chalicelib.domain.clock import STOCKHOLM


class OneTimeSchedules:
    """Schedules named `<prefix>-<key>` in one group, each invoking `target_arn` with its input."""

    def __init__(self, group: str, target_arn: str, role_arn: str, prefix: str) -> None:
        self._group, self._target_arn, self._role_arn, self._prefix = group, target_arn, role_arn, prefix

    @cached_property
    def _client(self) -> Any:
        return aws.client("scheduler")

    def name(self, key: str) -> str:
        return f"{self._prefix}-{key}"

    def put_at(self, key: str, at: datetime, payload: dict[str, Any]) -> None:
        """The schedule at this time, created or moved: the same again changes nothing."""
        local = at.astimezone(STOCKHOLM).replace(tzinfo=None, microsecond=0)
        request = {
            "Name": self.name(key),
            "GroupName": self._group,
            "ScheduleExpression": f"at({local.isoformat()})",
            "ScheduleExpressionTimezone": "Europe/Stockholm",
            "FlexibleTimeWindow": {"Mode": "OFF"},
            "ActionAfterCompletion": "DELETE",
            "Target": {
                "Arn": self._target_arn,
                "RoleArn": self._role_arn,
                "Input": json.dumps(payload),
                "RetryPolicy": {"MaximumRetryAttempts": 3},
            },
        }
        try:
            self._client.update_schedule(**request)
        except self._client.exceptions.ResourceNotFoundException:  # it had run, or was never needed
            self._client.create_schedule(**request)

    def delete(self, key: str) -> None:
        try:
            self._client.delete_schedule(Name=self.name(key), GroupName=self._group)
        except self._client.exceptions.ResourceNotFoundException:
            pass

    def get(self, key: str) -> dict[str, Any] | None:
        try:
            return dict(self._client.get_schedule(Name=self.name(key), GroupName=self._group))
        except self._client.exceptions.ResourceNotFoundException:
            return None

    def create_group(self) -> None:
        """Local stack and tests only; infra/ creates the group in AWS."""
        try:
            self._client.create_schedule_group(Name=self._group)
        except self._client.exceptions.ConflictException:
            pass  # made already (the cutoffs and the packages share it)
