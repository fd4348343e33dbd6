"""One page of a Query: exactly one request to DynamoDB, whatever the partition holds.

A page asks for one item more than it shows, so it knows whether another page follows without a
second request. Where the next page starts is the key of the last item shown (the table's and the
index's key attributes, all text here), flat: {attribute: value}. The services sign it into an
opaque cursor (services/paging.py); nothing here trusts a caller.

With a filter, DynamoDB applies the limit before the filter: such a page may show fewer items than
asked for, or none, and still have a next one. It never reads more than one request's worth.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pynamodb.models import Model

_M = TypeVar("_M", bound=Model)
Position = dict[str, str]


def exclusive_start(start: Position | None) -> dict[str, dict[str, str]] | None:
    return {name: {"S": value} for name, value in start.items()} if start else None


def one_page(model: type[_M], results: Any, limit: int) -> tuple[list[_M], Position | None]:
    """The first request's items of a query made with `page_size=limit + 1` (and no `limit`)."""
    try:
        raw = next(results.page_iter)
    except StopIteration:
        return [], None
    items = raw.get("Items") or []
    following = raw.get("LastEvaluatedKey")
    if len(items) > limit:
        last = items[limit - 1]
        # The key's names as DynamoDB gave them; a query that read its last item exactly at the page
        # size may give none (moto does), and then they are the table's and the index's keys.
        names = following or _key_names(model, results.page_iter._kwargs.get("index_name"))
        position = {name: last[name]["S"] for name in names}
        items = items[:limit]
    else:
        position = {name: value["S"] for name, value in following.items()} if following else None
    return [model.from_raw_data(item) for item in items], position


def _key_names(model: Any, index_name: str | None) -> set[str]:
    """The attributes of an exclusive start key for a query of the model's table or one of its indexes."""
    names = {model._hash_keyname, model._range_keyname} - {None}
    if index_name:
        index = next(i for i in model._indexes.values() if i.Meta.index_name == index_name)
        names |= {key["AttributeName"] for key in index._get_schema()["key_schema"]}
    return names
