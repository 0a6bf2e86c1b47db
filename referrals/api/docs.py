"""The API reference at /api/v1/docs: plain HTML made from the OpenAPI description.

No third-party script or stylesheet: the page passes the app's strict Content-Security-Policy,
works without JavaScript and uses the app's own GOV.UK styles. Tools read `openapi.json`.
"""

from __future__ import annotations

import re
from html import escape
from typing import Any

from litestar import Request
from litestar.openapi.plugins import OpenAPIRenderPlugin

METHODS = ("get", "post", "put", "patch", "delete")
_CODE = re.compile(r"`([^`]+)`")


def words(text: str) -> str:
    """Plain text as HTML, with `backticked` spans as code."""
    return _CODE.sub(r"<code>\1</code>", escape(" ".join(text.split())))


def _paragraphs(text: str) -> str:
    return "".join(
        f'<p class="govuk-body">{words(part)}</p>' for part in text.split("\n\n") if part.strip()
    )


def _anchor(kind: str, name: str) -> str:
    return f"{kind}-" + "".join(c if c.isalnum() else "-" for c in name).strip("-")


def type_of(schema: dict[str, Any]) -> str:
    """A schema's type in words, with links to named schemas (HTML)."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return f'<a class="govuk-link" href="#{_anchor("schema", name)}">{escape(name)}</a>'
    for key in ("oneOf", "anyOf"):
        if key in schema:
            return " or ".join(type_of(option) for option in schema[key])
    kind = schema.get("type", "any")
    if isinstance(kind, list):
        return " or ".join(type_of({**schema, "type": one}) for one in kind)
    if kind == "array":
        return f"list of {type_of(schema.get('items', {}))}"
    if kind == "object" and isinstance(schema.get("additionalProperties"), dict):
        return f"map of string to {type_of(schema['additionalProperties'])}"
    words = escape(str(kind))
    if "format" in schema:
        words += f" ({escape(str(schema['format']))})"
    if "enum" in schema:
        words += ": one of " + ", ".join(f"<code>{escape(str(v))}</code>" for v in schema["enum"])
    return words


def _table(caption: str, headers: list[str], rows: list[list[str]]) -> str:
    head = "".join(f'<th scope="col" class="govuk-table__header">{h}</th>' for h in headers)
    body = "".join(
        '<tr class="govuk-table__row">'
        + f'<th scope="row" class="govuk-table__header">{row[0]}</th>'
        + "".join(f'<td class="govuk-table__cell">{cell}</td>' for cell in row[1:])
        + "</tr>"
        for row in rows
    )
    return (
        f'<table class="govuk-table"><caption class="govuk-table__caption '
        f'govuk-table__caption--s">{caption}</caption><thead class="govuk-table__head">'
        f'<tr class="govuk-table__row">{head}</tr></thead>'
        f'<tbody class="govuk-table__body">{body}</tbody></table>'
    )


def _operation(base: str, path: str, method: str, operation: dict[str, Any]) -> str:
    summary = operation.get("summary") or f"{method.upper()} {path}"
    anchor = _anchor("op", operation.get("operationId", f"{method}{path}"))
    parts = [
        f'<h2 class="govuk-heading-l" id="{anchor}">{escape(summary)}</h2>',
        f'<p class="govuk-body"><strong>{method.upper()}</strong> '
        f"<code>{escape(base + path)}</code></p>",
        _paragraphs(operation.get("description", "")),
    ]
    parameters = operation.get("parameters", [])
    if parameters:
        rows = [
            [
                f"<code>{escape(p['name'])}</code>",
                escape(p.get("in", "")),
                type_of(p.get("schema", {})),
                "yes" if p.get("required") else "no",
                words(p.get("description", "")),
            ]
            for p in parameters
        ]
        parts.append(_table("Parameters", ["Name", "In", "Type", "Required", "About"], rows))
    body = operation.get("requestBody", {}).get("content", {})
    for media, content in body.items():
        parts.append(
            f'<p class="govuk-body">Request body (<code>{escape(media)}</code>): '
            f"{type_of(content.get('schema', {}))}</p>"
        )
    rows = []
    for status, response in operation.get("responses", {}).items():
        content = response.get("content", {})
        shapes = ", ".join(
            f"{type_of(c.get('schema', {}))} (<code>{escape(m)}</code>)" for m, c in content.items()
        )
        rows.append([escape(status), words(response.get("description", "")), shapes or "none"])
    parts.append(_table("Responses", ["Status", "Meaning", "Body"], rows))
    return f'<section class="govuk-!-margin-bottom-9">{"".join(parts)}</section>'


def _schema(name: str, schema: dict[str, Any]) -> str:
    parts = [
        f'<h3 class="govuk-heading-m" id="{_anchor("schema", name)}">{escape(name)}</h3>',
        _paragraphs(schema.get("description", "")),
    ]
    properties = schema.get("properties", {})
    required = set(schema.get("required", []))
    if properties:
        rows = [
            [
                f"<code>{escape(field)}</code>",
                type_of(spec),
                "yes" if field in required else "no",
                words(spec.get("description", "")),
            ]
            for field, spec in properties.items()
        ]
        parts.append(
            _table(f"Fields of {escape(name)}", ["Field", "Type", "Required", "About"], rows)
        )
    elif schema:
        parts.append(f'<p class="govuk-body">{type_of(schema)}</p>')
    return "".join(parts)


def render_reference(spec: dict[str, Any], json_url: str) -> str:
    """The whole reference page for an OpenAPI description (HTML)."""
    info = spec.get("info", {})
    title = escape(info.get("title", "API"))
    base = (spec.get("servers") or [{"url": ""}])[0].get("url", "").rstrip("/")
    operations = [
        (path, method, item[method])
        for path, item in sorted(spec.get("paths", {}).items())
        for method in METHODS
        if method in item
    ]
    contents = "".join(
        f'<li><a class="govuk-link" href="#{_anchor("op", op.get("operationId", m + p))}">'
        f"{escape(op.get('summary') or m.upper() + ' ' + p)}</a></li>"
        for p, m, op in operations
    )
    schemas = spec.get("components", {}).get("schemas", {})
    return (
        '<!DOCTYPE html><html lang="en" class="govuk-template"><head><meta charset="utf-8">'
        f"<title>{title} - Wraparound</title>"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">'
        '<link rel="stylesheet" href="/static/build/app.css"></head>'
        '<body class="govuk-template__body">'
        '<a href="#main-content" class="govuk-skip-link">Skip to main content</a>'
        '<header class="govuk-template__header wa-header"><div class="govuk-width-container">'
        '<a href="/" class="wa-header__home">Wraparound</a></div></header>'
        '<div class="govuk-width-container"><main class="govuk-main-wrapper" id="main-content">'
        f'<span class="govuk-caption-l">Version {escape(str(info.get("version", "")))}</span>'
        f'<h1 class="govuk-heading-xl">{title}</h1>'
        f"{_paragraphs(info.get('description', ''))}"
        f'<p class="govuk-body">The same description for tools '
        f"(OpenAPI {escape(spec.get('openapi', ''))}): "
        f'<a class="govuk-link" href="{escape(json_url)}">openapi.json</a>.</p>'
        '<nav aria-labelledby="contents"><h2 class="govuk-heading-m" id="contents">Contents</h2>'
        f'<ul class="govuk-list">{contents}'
        '<li><a class="govuk-link" href="#schemas">Schemas</a></li></ul></nav>'
        + "".join(_operation(base, p, m, op) for p, m, op in operations)
        + '<h2 class="govuk-heading-l" id="schemas">Schemas</h2>'
        + "".join(_schema(name, schema) for name, schema in sorted(schemas.items()))
        + "</main></div></body></html>"
    )


class HtmlReferencePlugin(OpenAPIRenderPlugin):
    """Serves the reference page; `json_url` is where the browser finds openapi.json."""

    def __init__(self, json_url: str, path: str = "/") -> None:
        super().__init__(path=path)
        self.json_url = json_url

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        """The page, as UTF-8."""
        return render_reference(openapi_schema, self.json_url).encode()
