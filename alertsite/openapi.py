"""Documents the error answers every API operation can give, whichever view it is.

Authentication, the scope check, the rate limit, the body parser and the
paginator run before or around every view, so their answers (401, 403, 429,
400, 413, 415, 404 for a page past the end) apply to each operation whether
or not its view remembered to list them. This schema post-processing hook
adds what is missing and leaves what a view documented itself alone.
"""

from __future__ import annotations

from typing import Any

METHODS = {"get", "put", "post", "patch", "delete"}
ERROR_COMPONENT = "ApiErrors"
ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "errors": {
            "type": "object",
            "additionalProperties": True,
            "description": (
                'Field name → list of messages; errors about the request as a whole are under "detail".'
            ),
        }
    },
    "required": ["errors"],
}
AUTHENTICATED = {
    "401": "No API key, or an unknown or revoked one.",
    "403": "The API key's scope does not allow this.",
    "429": "The API key exceeded its rate limit; see the Retry-After header.",
}
WITH_BODY = {
    "400": "The body is not valid: malformed or strictly refused JSON, or field errors.",
    "413": "The body is over API_MAX_BODY_BYTES.",
    "415": "The body is not JSON (send Content-Type: application/json).",
}
WITH_QUERY = {"400": "A query parameter has a bad value."}
WITH_OBJECT = {"404": "No such object, or a page past the end."}


def _answer(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ERROR_COMPONENT}"}}},
    }


def common_errors(operation: dict[str, Any], global_security: list[Any]) -> dict[str, str]:
    security = operation.get("security", global_security)
    parameters = operation.get("parameters", [])
    found: dict[str, str] = {}
    if any(requirement for requirement in security):
        found.update(AUTHENTICATED)
    if any(p.get("in") == "query" for p in parameters):
        found.update(WITH_QUERY)
    if any(p.get("in") == "path" for p in parameters) or any(p.get("name") == "page" for p in parameters):
        found.update(WITH_OBJECT)
    if "requestBody" in operation:
        found.update(WITH_BODY)
    return found


def document_common_errors(
    result: dict[str, Any], generator: Any, request: Any, public: bool
) -> dict[str, Any]:
    global_security = result.get("security", [])
    used = False
    for methods in result.get("paths", {}).values():
        for method, operation in methods.items():
            if method not in METHODS:
                continue
            responses = operation.setdefault("responses", {})
            for code, description in common_errors(operation, global_security).items():
                if code not in responses:
                    responses[code] = _answer(description)
                    used = True
    if used:
        result.setdefault("components", {}).setdefault("schemas", {}).setdefault(
            ERROR_COMPONENT, ERROR_SCHEMA
        )
    return result
