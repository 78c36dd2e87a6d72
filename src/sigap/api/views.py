"""The API documentation page: rendered on the server from the served OpenAPI schema.

Plain HTML and the site's own stylesheet -- no Swagger UI from a CDN, nothing fetched at run time
(the Content-Security-Policy allows only this site's files).  Bahasa Indonesia first, then English.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from sigap.api.models import SCOPES
from sigap.api.problems import KINDS

METHODS = ("get", "post", "put", "patch", "delete")


def _type(schema: dict[str, Any], components: dict[str, Any]) -> str:
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    if "anyOf" in schema:
        return " | ".join(_type(s, components) for s in schema["anyOf"])
    kind = schema.get("type", "")
    if kind == "array":
        return f"[{_type(schema.get('items', {}), components)}]"
    if "enum" in schema:
        return " | ".join(str(v) for v in schema["enum"])
    if "const" in schema:
        return str(schema["const"])
    return str(schema.get("format") or kind or "any")


def _fields(name: str, components: dict[str, Any]) -> list[dict[str, Any]]:
    schema = components.get(name, {})
    required = set(schema.get("required", ()))
    return [
        {
            "name": field,
            "type": _type(spec, components),
            "required": field in required,
            "description": spec.get("description", ""),
        }
        for field, spec in schema.get("properties", {}).items()
    ]


def _answer(response: dict[str, Any], components: dict[str, Any]) -> str:
    for spec in response.get("content", {}).values():
        return _type(spec.get("schema", {}), components)
    return ""


def _operations(schema: dict[str, Any]) -> list[dict[str, Any]]:
    components = schema.get("components", {}).get("schemas", {})
    found = []
    for route, operations in schema.get("paths", {}).items():
        for method in METHODS:
            op = operations.get(method)
            if op is None:
                continue
            body = None
            content = op.get("requestBody", {}).get("content", {})
            for media, spec in content.items():
                name = _type(spec.get("schema", {}), components)
                body = {"media": media, "name": name, "fields": _fields(name, components)}
            description = str(op.get("description", "")).strip()
            found.append(
                {
                    "id": op.get("operationId", ""),
                    "method": method.upper(),
                    "path": route,
                    "summary": op.get("summary", ""),
                    "paragraphs": [p.strip() for p in description.split("\n\n") if p.strip()],
                    "scope": op.get("x-scope", ""),
                    "tags": op.get("tags", []),
                    "parameters": [
                        {
                            "name": p.get("name"),
                            "in": p.get("in"),
                            "required": p.get("required", False),
                            "type": _type(p.get("schema", {}), components),
                        }
                        for p in op.get("parameters", [])
                    ],
                    "body": body,
                    "responses": [
                        {"status": status, "name": _answer(r, components)}
                        for status, r in op.get("responses", {}).items()
                    ],
                }
            )
    return found


def docs(request: HttpRequest) -> HttpResponse:
    """``/api/v1/docs``: every endpoint of the served schema, its scope, parameters and answers."""
    from sigap.api.api import api

    schema = api.get_openapi_schema()
    context = {
        "title": schema.get("info", {}).get("title", "SIGAP API"),
        "version": schema.get("info", {}).get("version", ""),
        "openapi": schema.get("openapi", ""),
        "operations": _operations(schema),
        "scopes": [(name, text[0], text[1]) for name, text in SCOPES.items()],
        "problems": [(slug, status, title) for slug, (status, title) in KINDS.items()],
    }
    return render(request, "api/docs.html", context)
