"""Piccolo app for the plan tables and migrations."""

import os

from piccolo.conf.apps import AppConfig, table_finder

CURRENT_DIRECTORY = os.path.dirname(os.path.abspath(__file__))

APP_CONFIG = AppConfig(
    app_name="plans",
    migrations_folder_path=os.path.join(CURRENT_DIRECTORY, "piccolo_migrations"),
    table_classes=table_finder(
        modules=["plans.tables", "plans.attendance.tables"], exclude_imported=True
    ),
    migration_dependencies=[
        "hub.piccolo_app",
        "consent.piccolo_app",
        "referrals.piccolo_app",
        "directory.piccolo_app",
    ],
    commands=[],
)
