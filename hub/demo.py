"""The demo network: Lochee Hub and its spoke organisations, each with an admin and a worker."""

from __future__ import annotations

import re
import secrets
from datetime import date

from hub import audit, clock
from hub.accounts.passwords import hash_password
from hub.audit import Actor
from hub.db import transaction
from hub.settings import get_settings
from hub.tables import Client, ClientAccount, Organisation, Staff

HUB_NAME = "Lochee Hub"
# The spokes of the Dundee hub-and-spoke test of change (shared/seeds/004_*.txt).
SPOKES = (
    "GP Practice",
    "Hillcrest Futures",
    "Positive Steps",
    "Housing First",
    "Employability",
    "Housing Office",
    "Community Groups",
    "Kith & Kin",
    "Pharmacy",
    "Peer Support",
    "Pop Up Shop",
    "Hospital Discharge",
    "Safe Bus Zone",
    "HH & Keep Well",
    "Street Soccer",
    "Community MH",
    "Churches",
    "ISMS",
)
SYSTEM_ADMIN_EMAIL = "admin@system.example"
DEMO_CLIENT_USERNAME = "demo-client"


def slug(name: str) -> str:
    """`Kith & Kin` -> `kith-kin`, for demo e-mail domains."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def demo_password() -> str:
    """DEMO_PASSWORD, or one generated on the first run and kept in var/."""
    settings = get_settings()
    if settings.demo_password:
        return settings.demo_password
    path = settings.var_dir / "demo_password"
    if path.exists():
        return path.read_text().strip()
    password = "demo-" + secrets.token_urlsafe(9)
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    path.write_text(password)
    path.chmod(0o600)
    return password


async def _organisation(name: str, kind: str) -> Organisation:
    existing = await Organisation.objects().where(Organisation.name == name).first()
    if existing is not None:
        return existing
    organisation = Organisation(name=name, kind=kind, created_at=clock.now())
    await Organisation.insert(organisation)
    return organisation


async def _staff(
    organisation: Organisation,
    name: str,
    email: str,
    password_hash: str,
    *,
    is_org_admin: bool = False,
    is_system_admin: bool = False,
) -> Staff:
    existing = await Staff.objects().where(Staff.email == email).first()
    if existing is not None:
        return existing
    now = clock.now()
    member = Staff(
        organisation=organisation.id,
        name=name,
        email=email,
        password_hash=password_hash,
        active=True,
        created_at=now,
        password_changed_at=now,
        is_org_admin=is_org_admin,
        is_system_admin=is_system_admin,
    )
    await Staff.insert(member)
    return member


async def seed_demo_network() -> list[tuple[str, str]]:
    """Create whatever of the demo network is missing; returns (role, sign-in) to print."""
    password_hash = await hash_password(demo_password())
    async with transaction():
        hub = await _organisation(HUB_NAME, "hub")
        await _staff(
            hub,
            "Sam Admin",
            SYSTEM_ADMIN_EMAIL,
            password_hash,
            is_org_admin=True,
            is_system_admin=True,
        )
        for name, kind in [(HUB_NAME, "hub"), *((spoke, "partner") for spoke in SPOKES)]:
            organisation = await _organisation(name, kind)
            domain = f"{slug(name)}.example"
            admin = await _staff(
                organisation, f"{name} Admin", f"admin@{domain}", password_hash, is_org_admin=True
            )
            await _staff(organisation, f"{name} Worker", f"worker@{domain}", password_hash)
            if organisation.data_protection_lead_id is None:
                await Organisation.update({Organisation.data_protection_lead_id: admin.id}).where(
                    Organisation.id == organisation.id
                )
        if not await ClientAccount.exists().where(ClientAccount.username == DEMO_CLIENT_USERNAME):
            now = clock.now()
            client = Client(
                full_name="Alex Demo",
                preferred_name="Alex",
                date_of_birth=date(1988, 4, 12),
                registered_by=hub.id,
                created_at=now,
            )
            await Client.insert(client)
            await ClientAccount.insert(
                ClientAccount(
                    client=client.id,
                    username=DEMO_CLIENT_USERNAME,
                    password_hash=password_hash,
                    active=True,
                    created_at=now,
                    password_changed_at=now,
                )
            )
        await audit.record("demo.seeded", Actor.system())
    return [
        ("system admin", SYSTEM_ADMIN_EMAIL),
        ("hub worker", f"worker@{slug(HUB_NAME)}.example"),
        ("org admin (hub)", f"admin@{slug(HUB_NAME)}.example"),
        ("partner worker", "worker@housing-first.example"),
        ("org admin (partner)", "admin@housing-first.example"),
        ("client (portal)", DEMO_CLIENT_USERNAME),
    ]
