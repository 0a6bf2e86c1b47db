"""Piccolo app for the directory's tables and migrations."""

import os

from piccolo.conf.apps import AppConfig, table_finder

CURRENT_DIRECTORY = os.path.dirname(os.path.abspath(__file__))

APP_CONFIG = AppConfig(
    app_name="directory",
    migrations_folder_path=os.path.join(CURRENT_DIRECTORY, "piccolo_migrations"),
    table_classes=table_finder(
        modules=["directory.tables", "directory.feeds.tables", "directory.sessions.tables"],
        exclude_imported=True,
    ),
    migration_dependencies=["hub.piccolo_app"],
    commands=[],
)
