"""A client hidden from the reader and an id that does not exist answer the same way: the same
page and status, and the same work (the same database queries), so the time taken does not
tell one from the other."""

from __future__ import annotations

import uuid
from typing import Any

from consent.vocabulary import HOUSING, IDENTITY
from hub.db import get_engine
from tests.consent.factories import consent_to, note, registered_client, staff_member
from tests.consent.fixtures import client, pooled
from tests.support import make_organisation, sign_in

__all__ = ["client", "pooled"]


class _Counter:
    """Counts the statements the engine runs (it still runs every one of them)."""

    def __init__(self, engine_class: Any) -> None:
        self.real = engine_class.run_querystring
        self.count = 0

    def wrapper(self) -> Any:
        async def run_querystring(engine: Any, querystring: Any, *args: Any, **kw: Any) -> Any:
            self.count += 1
            return await self.real(engine, querystring, *args, **kw)

        return run_querystring


async def test_hidden_and_unknown_clients_do_the_same_work(client, monkeypatch):
    hub = await make_organisation("Lochee Hub", kind="hub")
    outsider_org = await make_organisation("Employability")
    housing = await make_organisation("Housing First")
    hub_worker = await staff_member(hub)
    outsider = await staff_member(outsider_org)
    dana = await registered_client(hub, full_name="Dana Lee")
    await note(dana.id, hub, HOUSING, "Temporary accommodation")
    await consent_to(dana.id, [housing], [IDENTITY, HOUSING], obtained_by=hub_worker)
    await sign_in(client, outsider.email)

    engine_class = type(get_engine())
    counter = _Counter(engine_class)
    monkeypatch.setattr(engine_class, "run_querystring", counter.wrapper())
    statements = {}
    pages = {}
    for label, client_id in (("hidden", dana.id), ("unknown", uuid.uuid4())):
        before = counter.count
        pages[label] = await client.get(f"/clients/{client_id}")
        statements[label] = counter.count - before
    assert pages["hidden"].status_code == pages["unknown"].status_code == 404
    assert statements["hidden"] == statements["unknown"], statements
