"""Jinja set-up: our templates first, then the GOV.UK Frontend macros."""

from __future__ import annotations

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PackageLoader, PrefixLoader
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.template.config import TemplateConfig

from hub.accounts.roles import acts_for
from hub.settings import ROOT, get_settings
from hub.web.contact_links import mailto_uri, tel_uri
from hub.web.navigation import navigation_for

TEMPLATES_DIR = ROOT / "templates"


def build_environment() -> Environment:
    """The one Jinja environment: autoescaped, strict about undefined names in our templates."""
    environment = Environment(
        loader=ChoiceLoader(
            [
                FileSystemLoader(TEMPLATES_DIR),
                PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")}),
            ]
        ),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=get_settings().template_reload,
    )
    environment.globals["navigation_for"] = navigation_for
    environment.globals["acts_for"] = acts_for
    environment.globals["service_name"] = "Wraparound"
    environment.filters["tel_uri"] = tel_uri
    environment.filters["mailto_uri"] = mailto_uri
    return environment


def template_config() -> TemplateConfig[JinjaTemplateEngine]:
    """Litestar's template config over our environment."""
    return TemplateConfig(instance=JinjaTemplateEngine.from_environment(build_environment()))
