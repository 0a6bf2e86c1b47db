"""Reports and registers under attack: partners reaching past their own figures, strangers,
and what a CSV could leak."""

from __future__ import annotations

import re

from hub.tables import AuditEvent, Client
from tests.reports.monitoring_data import january
from tests.support import make_organisation, make_staff, post_form, sign_in

UUID_TEXT = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)


async def test_a_partner_admin_cannot_reach_the_hub_or_another_partners_figures(client) -> None:
    data = await january()
    other = await make_organisation("Another Partner")
    await sign_in(client, data.hub.partner_admin.email)
    for path in (
        "/reports?month=2027-01&scope=hub",
        f"/reports?month=2027-01&scope={other.id}",
        f"/reports/report.csv?month=2027-01&scope={other.id}",
        "/reports/report.csv?month=2027-01&scope=hub",
        f"/reports/summary?month=2027-01&scope={data.hub.hub.id}",
        "/reports/partners?month=2027-01",
    ):
        response = await client.get(path)
        assert response.status_code == 403, path
        assert "Social afternoon" not in response.text
    assert await AuditEvent.count().where(AuditEvent.action == "report.refused") == 6


async def test_workers_and_strangers_get_no_report(client, other_client) -> None:
    data = await january()
    anonymous = await client.get("/reports?month=2027-01")
    assert anonymous.status_code in (302, 303, 401)
    assert "SMART Recovery" not in anonymous.text
    assert (await client.get("/reports/report.csv?month=2027-01")).status_code in (302, 303, 401)
    async with other_client() as worker:
        await sign_in(worker, data.hub.partner_worker.email)
        assert (await worker.get("/reports?month=2027-01")).status_code == 403


async def test_the_csv_holds_no_name_or_id(client) -> None:
    data = await january()
    await sign_in(client, data.hub.manager.email)
    text = (await client.get("/reports/report.csv?month=2027-01")).text
    assert "Too crowded" not in text  # people's words stay on the hub's page
    assert UUID_TEXT.search(text) is None
    names = [row["full_name"] for row in await Client.select(Client.full_name)]
    names += [data.hub.worker.name, data.hub.manager.name, data.hub.partner_worker.name]
    for name in names:
        assert name not in text


async def test_a_register_cannot_be_changed_from_outside(client) -> None:
    data = await january()
    outsider = await make_staff(await make_organisation("Elsewhere Trust"))
    await sign_in(client, outsider.email)
    path = f"/sessions/{data.recovery.id}/register/2027-01-12"
    refused = await post_form(client, f"{path}/visitors", {"visitors": "3"}, form_page="/sessions")
    assert refused.status_code == 403
    assert (await client.get(path)).status_code == 403
    assert await AuditEvent.count().where(AuditEvent.action == "attendance.refused") == 2


async def test_odd_input_is_explained_never_a_server_error(client) -> None:
    data = await january()
    await sign_in(client, data.hub.manager.email)
    session = data.recovery.id
    for path in (
        "/reports?month=9999-99",
        "/reports?from=yesterday&to=today",
        "/reports?from=2020-01-01&to=2027-01-01",
        "/reports?month=%00",
        "/reports?scope=not-an-id",
        "/reports/report.csv?month=2027-01&figure=%3Cscript%3E",
        "/reports/partners?month=27",
        "/reports/summary?from=2027-02-01&to=2027-01-01",
        f"/sessions/{session}/register/2027-02-30",
        f"/sessions/{session}/register/1900-01-02",
        "/feedback/session/%2e%2e",
        "/feedback/nonsense/123",
        "/sessions/00000000-0000-0000-0000-000000000000",
    ):
        response = await client.get(path)
        assert response.status_code < 500, (path, response.status_code)
