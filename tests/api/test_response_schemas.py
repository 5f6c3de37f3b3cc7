"""Every JSON answer of the API is documented: a client can generate its types from /openapi.json."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI


def _resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].removeprefix("#/components/schemas/")
        schema = spec["components"]["schemas"][name]
    return schema


def _is_free_form(spec: dict[str, Any], schema: dict[str, Any]) -> bool:
    """No schema, or an object / array of objects that says nothing of its fields."""
    schema = _resolve(spec, schema)
    if not schema:
        return True
    if schema.get("type") == "array":
        return _is_free_form(spec, schema.get("items", {}))
    if "anyOf" in schema:
        return any(_is_free_form(spec, s) for s in schema["anyOf"] if s.get("type") != "null")
    if schema.get("type") == "object" or "properties" in schema:
        extra = schema.get("additionalProperties")
        return not schema.get("properties") and (extra is None or extra is True or extra == {})
    return False


def test_every_json_answer_has_a_schema_with_its_fields(app: FastAPI) -> None:
    spec = app.openapi()
    undocumented = []
    checked = 0
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            for status, response in operation.get("responses", {}).items():
                if not status.startswith("2"):
                    continue
                for media_type, body in response.get("content", {}).items():
                    if "json" not in media_type:
                        continue
                    checked += 1
                    if _is_free_form(spec, body.get("schema", {})):
                        undocumented.append(f"{method.upper()} {path} {status}")
    assert checked >= 30
    assert undocumented == []
