"""Piccolo's configuration: the engine DATABASE_URL asks for and every package's migrations."""

from piccolo.conf.apps import AppRegistry

from hub.db import build_engine
from hub.settings import get_settings

DB = build_engine(get_settings())

APP_REGISTRY = AppRegistry(
    apps=[
        "hub.piccolo_app",
        "directory.piccolo_app",
        "consent.piccolo_app",
        "referrals.piccolo_app",
        "plans.piccolo_app",
        "reports.piccolo_app",
    ]
)
