"""Consent integrity the ORM cannot declare, on SQLite and PostgreSQL.

- A given consent is never edited: only its ending (once) and the expiry mark (once) may be
  written. A break-glass may only be closed, once. Reviews and the access log are
  append-only. Triggers refuse anything else; on PostgreSQL they refuse DELETE too (SQLite
  keeps DELETE for the test harness, and the app has no delete path).
- Uniqueness: one review per role per break-glass, one row per consent version, one open
  involvement per organisation and source.
- Clients registered before consent/ existed get their `registered` involvement.
"""

import uuid

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder
from piccolo.engine.sqlite import SQLiteEngine
from piccolo.querystring import QueryString

ID = "2026-11-23T14:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "consent integrity: final consents, append-only logs, uniqueness, backfill"

CONSENT_GIVEN = (
    "id", "client", "series", "version", "supersedes", "organisation_ids",
    "organisation_names", "categories", "purposes", "valid_from", "valid_to", "method",
    "notice_version", "capacity", "capacity_note", "given_by", "representative_name",
    "representative_authority", "representative_evidence", "obtained_by_staff",
    "obtained_by_organisation", "given_at",
)
CONSENT_ENDING = (
    "withdrawn_at", "withdrawn_reason", "withdrawn_by_kind", "withdrawn_by_id", "withdrawn_how",
)
BREAK_GLASS_FIXED = (
    "id", "client", "staff", "organisation", "reason", "opened_at", "expires_at",
)
APPEND_ONLY = ("access_log", "break_glass_review")

INDEXES = [
    "CREATE UNIQUE INDEX break_glass_review_once ON break_glass_review (break_glass, role)",
    "CREATE UNIQUE INDEX consent_version_once ON consent (series, version)",
    "CREATE UNIQUE INDEX involvement_open_once ON involvement (client, organisation, source)"
    " WHERE ended_at IS NULL",
    "CREATE INDEX access_log_client_at ON access_log (client, at)",
]


def _changed(columns, sqlite):
    if sqlite:
        return " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in columns)
    return " OR ".join(f"NEW.{c}::text IS DISTINCT FROM OLD.{c}::text" for c in columns)


def _consent_refused(sqlite):
    return (
        f"({_changed(CONSENT_GIVEN, sqlite)})"
        f" OR (OLD.withdrawn_at IS NOT NULL AND ({_changed(CONSENT_ENDING, sqlite)}))"
        f" OR (OLD.expiry_noted_at IS NOT NULL AND ({_changed(['expiry_noted_at'], sqlite)}))"
    )


def _break_glass_refused(sqlite):
    return (
        f"({_changed(BREAK_GLASS_FIXED, sqlite)})"
        f" OR (OLD.closed_at IS NOT NULL AND ({_changed(['closed_at'], sqlite)}))"
    )


def sqlite_statements():
    statements = [
        f"CREATE TRIGGER consent_given_is_final BEFORE UPDATE ON consent"
        f" WHEN {_consent_refused(True)}"
        " BEGIN SELECT RAISE(ABORT, 'a given consent is never edited'); END",
        f"CREATE TRIGGER break_glass_only_closes BEFORE UPDATE ON break_glass"
        f" WHEN {_break_glass_refused(True)}"
        " BEGIN SELECT RAISE(ABORT, 'a break-glass is only ever closed'); END",
    ]
    statements += [
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE ON {table}"
        f" BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
        for table in APPEND_ONLY
    ]
    return statements


def postgres_statements():
    statements = [
        "CREATE OR REPLACE FUNCTION consent_refuse_change() RETURNS trigger AS $$\n"
        "BEGIN\n"
        "  RAISE EXCEPTION '% is append-only or final: % refused', TG_TABLE_NAME, TG_OP;\n"
        "END;\n"
        "$$ LANGUAGE plpgsql",
        f"CREATE TRIGGER consent_given_is_final BEFORE UPDATE ON consent FOR EACH ROW"
        f" WHEN ({_consent_refused(False)}) EXECUTE FUNCTION consent_refuse_change()",
        "CREATE TRIGGER consent_never_deleted BEFORE DELETE ON consent FOR EACH ROW"
        " EXECUTE FUNCTION consent_refuse_change()",
        f"CREATE TRIGGER break_glass_only_closes BEFORE UPDATE ON break_glass FOR EACH ROW"
        f" WHEN ({_break_glass_refused(False)}) EXECUTE FUNCTION consent_refuse_change()",
        "CREATE TRIGGER break_glass_never_deleted BEFORE DELETE ON break_glass FOR EACH ROW"
        " EXECUTE FUNCTION consent_refuse_change()",
    ]
    statements += [
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} FOR EACH ROW"
        " EXECUTE FUNCTION consent_refuse_change()"
        for table in APPEND_ONLY
    ]
    return statements


def backwards_statements(sqlite):
    triggers = [
        ("consent_given_is_final", "consent"),
        ("break_glass_only_closes", "break_glass"),
        *((f"{table}_append_only", table) for table in APPEND_ONLY),
    ]
    if not sqlite:
        triggers += [
            ("consent_never_deleted", "consent"),
            ("break_glass_never_deleted", "break_glass"),
        ]
    statements = [
        f"DROP TRIGGER IF EXISTS {name}" + ("" if sqlite else f" ON {table}")
        for name, table in triggers
    ]
    if not sqlite:
        statements.append("DROP FUNCTION IF EXISTS consent_refuse_change()")
    statements += [
        f"DROP INDEX IF EXISTS {name}"
        for name in (
            "break_glass_review_once",
            "consent_version_once",
            "involvement_open_once",
            "access_log_client_at",
        )
    ]
    return statements


async def _run(engine, sql, *args):
    return await engine.run_querystring(QueryString(sql, *args))


async def _backfill_involvement(engine):
    clients = await _run(
        engine,
        "SELECT c.id, c.registered_by, c.created_at FROM client c WHERE NOT EXISTS"
        " (SELECT 1 FROM involvement i WHERE i.client = c.id)",
    )
    for row in clients or []:
        await _run(
            engine,
            "INSERT INTO involvement (id, client, organisation, source, started_at, ended_at)"
            " VALUES ({}, {}, {}, 'registered', {}, NULL)",
            str(uuid.uuid4()) if isinstance(engine, SQLiteEngine) else uuid.uuid4(),
            row["id"],
            row["registered_by"],
            row["created_at"],
        )


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="consent", description=DESCRIPTION)

    async def up():
        engine = engine_finder()
        sqlite = isinstance(engine, SQLiteEngine)
        for statement in INDEXES + (sqlite_statements() if sqlite else postgres_statements()):
            await _run(engine, statement)
        await _backfill_involvement(engine)

    async def down():
        engine = engine_finder()
        for statement in backwards_statements(isinstance(engine, SQLiteEngine)):
            await _run(engine, statement)

    manager.add_raw(up)
    manager.add_raw_backwards(down)
    return manager
