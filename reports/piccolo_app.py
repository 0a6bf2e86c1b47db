"""Piccolo app for the reports' tables and migrations."""

import os

from piccolo.conf.apps import AppConfig, table_finder

CURRENT_DIRECTORY = os.path.dirname(os.path.abspath(__file__))

APP_CONFIG = AppConfig(
    app_name="reports",
    migrations_folder_path=os.path.join(CURRENT_DIRECTORY, "piccolo_migrations"),
    table_classes=table_finder(modules=["reports.tables"], exclude_imported=True),
    migration_dependencies=[
        "hub.piccolo_app",
        "directory.piccolo_app",
        "plans.piccolo_app",
    ],
    commands=[],
)
