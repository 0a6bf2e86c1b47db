"""Meetings, their invitees and agreed actions; community connections; households."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from plans.tables import Plan

ID = "2026-12-06T00:06:06:000000"
VERSION = "1.38.0"
DESCRIPTION = "meetings, connections, households"

TABLES = [
    """
    CREATE TABLE IF NOT EXISTS "meeting" (
        "id" UUID PRIMARY KEY NOT NULL,
        "plan" UUID NOT NULL REFERENCES "plan" ("id") ON DELETE CASCADE,
        "client" UUID NOT NULL REFERENCES "client" ("id") ON DELETE RESTRICT,
        "household" UUID NULL,
        "kind" VARCHAR(24) NOT NULL,
        "starts_at" TIMESTAMPTZ NOT NULL,
        "minutes_long" INTEGER NOT NULL DEFAULT 60,
        "place" TEXT NOT NULL DEFAULT '',
        "video_link" TEXT NOT NULL DEFAULT '',
        "agenda" TEXT NOT NULL DEFAULT '',
        "status" VARCHAR(16) NOT NULL DEFAULT 'arranged',
        "sequence" INTEGER NOT NULL DEFAULT 0,
        "arranged_by" UUID NOT NULL REFERENCES "staff" ("id") ON DELETE RESTRICT,
        "organisation" UUID NOT NULL REFERENCES "organisation" ("id") ON DELETE RESTRICT,
        "notes" TEXT NOT NULL DEFAULT '',
        "notes_category" VARCHAR(32) NOT NULL DEFAULT 'plan',
        "decisions" TEXT NOT NULL DEFAULT '',
        "recorded_by" UUID NULL,
        "recorded_at" TIMESTAMPTZ NULL,
        "created_at" TIMESTAMPTZ NOT NULL,
        "updated_at" TIMESTAMPTZ NOT NULL
    )
    """,
    'CREATE INDEX IF NOT EXISTS meeting_plan ON "meeting" ("plan")',
    'CREATE INDEX IF NOT EXISTS meeting_client ON "meeting" ("client")',
    """
    CREATE TABLE IF NOT EXISTS "meeting_invitee" (
        "id" UUID PRIMARY KEY NOT NULL,
        "meeting" UUID NOT NULL REFERENCES "meeting" ("id") ON DELETE CASCADE,
        "kind" VARCHAR(8) NOT NULL,
        "client" UUID NULL,
        "staff" UUID NULL REFERENCES "staff" ("id") ON DELETE RESTRICT,
        "organisation" UUID NULL,
        "name" VARCHAR(200) NOT NULL DEFAULT '',
        "email" VARCHAR(254) NOT NULL DEFAULT '',
        "answer" VARCHAR(16) NOT NULL DEFAULT 'pending',
        "answer_note" TEXT NOT NULL DEFAULT '',
        "answered_at" TIMESTAMPTZ NULL,
        "attended" VARCHAR(8) NOT NULL DEFAULT '',
        "removed_at" TIMESTAMPTZ NULL
    )
    """,
    'CREATE INDEX IF NOT EXISTS meeting_invitee_meeting ON "meeting_invitee" ("meeting")',
    'CREATE INDEX IF NOT EXISTS meeting_invitee_staff ON "meeting_invitee" ("staff")',
    """
    CREATE TABLE IF NOT EXISTS "meeting_action" (
        "id" UUID PRIMARY KEY NOT NULL,
        "meeting" UUID NOT NULL REFERENCES "meeting" ("id") ON DELETE CASCADE,
        "action" UUID NOT NULL REFERENCES "action" ("id") ON DELETE CASCADE
    )
    """,
    'CREATE INDEX IF NOT EXISTS meeting_action_meeting ON "meeting_action" ("meeting")',
    'CREATE INDEX IF NOT EXISTS meeting_action_action ON "meeting_action" ("action")',
    """
    CREATE TABLE IF NOT EXISTS "connection" (
        "id" UUID PRIMARY KEY NOT NULL,
        "client" UUID NOT NULL REFERENCES "client" ("id") ON DELETE RESTRICT,
        "name" VARCHAR(200) NOT NULL,
        "kind" VARCHAR(24) NOT NULL,
        "closeness" VARCHAR(8) NOT NULL,
        "wants_more" INTEGER NOT NULL DEFAULT 0,
        "organisation" UUID NOT NULL REFERENCES "organisation" ("id") ON DELETE RESTRICT,
        "previous" UUID NULL,
        "created_at" TIMESTAMPTZ NOT NULL,
        "ended_at" TIMESTAMPTZ NULL
    )
    """,
    'CREATE INDEX IF NOT EXISTS connection_client ON "connection" ("client")',
    """
    CREATE TABLE IF NOT EXISTS "household" (
        "id" UUID PRIMARY KEY NOT NULL,
        "name" VARCHAR(120) NOT NULL,
        "organisation" UUID NOT NULL REFERENCES "organisation" ("id") ON DELETE RESTRICT,
        "created_by" UUID NOT NULL REFERENCES "staff" ("id") ON DELETE RESTRICT,
        "created_at" TIMESTAMPTZ NOT NULL
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS "household_member" (
        "id" UUID PRIMARY KEY NOT NULL,
        "household" UUID NOT NULL REFERENCES "household" ("id") ON DELETE CASCADE,
        "client" UUID NOT NULL REFERENCES "client" ("id") ON DELETE RESTRICT,
        "relationship" VARCHAR(16) NOT NULL,
        "related_to" UUID NULL,
        "responsible" UUID NULL,
        "added_at" TIMESTAMPTZ NOT NULL
    )
    """,
    'CREATE INDEX IF NOT EXISTS household_member_household ON "household_member" ("household")',
    'CREATE UNIQUE INDEX IF NOT EXISTS household_member_once ON "household_member" ("client")',
    """
    CREATE TABLE IF NOT EXISTS "household_goal" (
        "id" UUID PRIMARY KEY NOT NULL,
        "household" UUID NOT NULL REFERENCES "household" ("id") ON DELETE CASCADE,
        "words" TEXT NOT NULL,
        "success" TEXT NOT NULL DEFAULT '',
        "created_at" TIMESTAMPTZ NOT NULL
    )
    """,
    'CREATE INDEX IF NOT EXISTS household_goal_household ON "household_goal" ("household")',
    """
    CREATE TABLE IF NOT EXISTS "household_goal_share" (
        "id" UUID PRIMARY KEY NOT NULL,
        "goal" UUID NOT NULL REFERENCES "household_goal" ("id") ON DELETE CASCADE,
        "client" UUID NOT NULL REFERENCES "client" ("id") ON DELETE RESTRICT
    )
    """,
    'CREATE INDEX IF NOT EXISTS household_goal_share_goal ON "household_goal_share" ("goal")',
    'ALTER TABLE "review" ADD COLUMN "meeting" UUID NULL',
]
BACKWARDS = [
    'DROP TABLE IF EXISTS "household_goal_share"',
    'DROP TABLE IF EXISTS "household_goal"',
    'DROP TABLE IF EXISTS "household_member"',
    'DROP TABLE IF EXISTS "household"',
    'DROP TABLE IF EXISTS "connection"',
    'DROP TABLE IF EXISTS "meeting_action"',
    'DROP TABLE IF EXISTS "meeting_invitee"',
    'DROP TABLE IF EXISTS "meeting"',
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="plans", description=DESCRIPTION)

    async def up() -> None:
        # The same statements suit SQLite and PostgreSQL.
        for statement in TABLES:
            await Plan.raw(statement)

    async def down() -> None:
        for statement in BACKWARDS:
            await Plan.raw(statement)

    manager.add_raw(up)
    manager.add_raw_backwards(down)
    return manager
