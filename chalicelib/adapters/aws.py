"""One botocore session per Lambda container, shared by every AWS client the app makes, and one
DynamoDB connection (one botocore client) shared by every PynamoDB model.

A botocore session reads the endpoint and partition data and resolves credentials; a client
loads its service's model. Left to itself PynamoDB gives each model its own connection with its
own session and client, and each adapter called `botocore.session.get_session()` for its own:
a cold request touching four tables and sending one e-mail built five sessions (~60 ms of CPU
each here) where one does. From one session a further client costs a few milliseconds, and all
models share one DynamoDB client.

botocore sessions are not safe for creating clients from several threads at once (the local
stack serves requests on threads), so clients are created under a lock; a client, once made,
is safe to share.
"""

from __future__ import annotations

import threading
from typing import Any

from pynamodb.connection.base import Connection
from pynamodb.connection.table import TableConnection
from pynamodb.models import Model as _PynamoModel

_lock = threading.RLock()
_session: Any = None
_connections: dict[tuple[Any, ...], SharedConnection] = {}


def session() -> Any:
    """The container's botocore session (created on first use)."""
    global _session
    if _session is None:
        with _lock:
            if _session is None:
                import botocore.session

                _session = botocore.session.get_session()
    return _session


def client(service: str, **kwargs: Any) -> Any:
    """A new botocore client for `service` from the shared session (callers keep their own)."""
    with _lock:
        return session().create_client(service, **kwargs)


class SharedConnection(Connection):
    """PynamoDB's connection on the shared session, for every table with the same settings."""

    @property
    def session(self) -> Any:  # type: ignore[override]
        return session()

    @property
    def client(self) -> Any:  # type: ignore[override]
        with _lock:
            return super().client


def _connection_for(meta: Any) -> SharedConnection:
    settings = (
        meta.region, meta.host, meta.connect_timeout_seconds, meta.read_timeout_seconds, meta.max_retry_attempts,
        meta.max_pool_connections, tuple(sorted((meta.extra_headers or {}).items())), meta.aws_access_key_id,
        meta.aws_secret_access_key, meta.aws_session_token,
    )  # fmt: skip
    with _lock:
        if settings not in _connections:
            _connections[settings] = SharedConnection(
                region=meta.region, host=meta.host, connect_timeout_seconds=meta.connect_timeout_seconds,
                read_timeout_seconds=meta.read_timeout_seconds, max_retry_attempts=meta.max_retry_attempts,
                max_pool_connections=meta.max_pool_connections, extra_headers=meta.extra_headers,
                aws_access_key_id=meta.aws_access_key_id, aws_secret_access_key=meta.aws_secret_access_key,
                aws_session_token=meta.aws_session_token,
            )  # fmt: skip
        return _connections[settings]


class Model(_PynamoModel):
    """PynamoDB's Model with one shared connection: subclass this, not pynamodb's, for a table."""

    @classmethod
    def _get_connection(cls) -> TableConnection:
        known = cls._connection
        table = super()._get_connection()
        if table is not known:  # PynamoDB made this model's table connection just now: share the client
            shared = _connection_for(cls.Meta)
            with _lock:
                if cls.Meta.table_name not in shared._tables:
                    shared.add_meta_table(table.get_meta_table())
            table.connection = shared
        return table


def dynamodb_client() -> Any:
    """The DynamoDB client every model uses (for the Powertools idempotency layer, say)."""
    from chalicelib.adapters.tables import IdempotencyRecord

    return IdempotencyRecord._get_connection().connection.client
