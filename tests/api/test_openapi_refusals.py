"""The OpenAPI document declares every refusal an operation can answer, as problem+json."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from healthcode.api.responses import PROBLEM_JSON, PROBLEM_REF
from healthcode.app import create_app


def _operations() -> list[tuple[str, str, dict[str, Any]]]:
    document = create_app().openapi()
    return [
        (method.upper(), path, operation)
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
    ]


def _declares_problem(operation: dict[str, Any], status: int) -> bool:
    declared = operation["responses"].get(str(status))
    if declared is None:
        return False
    return declared["content"] == {PROBLEM_JSON: {"schema": {"$ref": PROBLEM_REF}}}


def test_bearer_operations_declare_401_and_403() -> None:
    """Every operation that needs a bearer token declares 401 and 403 as problem+json."""
    missing = [
        f"{method} {path} {status}"
        for method, path, operation in _operations()
        if operation.get("security")
        for status in (401, 403)
        if not _declares_problem(operation, status)
    ]
    assert missing == []


def test_operations_with_input_declare_422_and_ids_in_paths_404() -> None:
    """Input means a 422 may come (and 400/413 with a body); an id in the path, a 404."""
    missing = []
    for method, path, operation in _operations():
        parameters = operation.get("parameters", [])
        expected = []
        if parameters or "requestBody" in operation:
            expected.append(422)
        if "requestBody" in operation:
            expected += [400, 413]
        if any(p["in"] == "path" for p in parameters):
            expected.append(404)
        missing += [f"{method} {path} {s}" for s in expected if not _declares_problem(operation, s)]
    assert missing == []


def test_problem_schema_replaces_fastapis_validation_error() -> None:
    """The document holds the Problem schema and not FastAPI's unused HTTPValidationError."""
    schemas = create_app().openapi()["components"]["schemas"]
    assert schemas["Problem"]["required"] == ["type", "title", "status", "detail"]
    assert "HTTPValidationError" not in schemas


def test_logins_declare_401_and_429_with_retry_after() -> None:
    """Each login declares wrong credentials (401) and a lock-out (429 with Retry-After)."""
    logins = {
        path: operation
        for method, path, operation in _operations()
        if path.endswith(("/login", "/oauth/token"))
    }
    assert len(logins) == 3
    for operation in logins.values():
        assert _declares_problem(operation, 401)
        assert "Retry-After" in operation["responses"]["429"]["headers"]


def test_token_endpoint_declares_its_form() -> None:
    """The OAuth2 token endpoint's form body is in the document (it reads the form itself)."""
    (token,) = [op for _, path, op in _operations() if path == "/api/v1/oauth/token"]
    form = token["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"]
    assert form["properties"]["grant_type"]["enum"] == ["client_credentials"]


def test_a_refusal_answers_as_declared(client: TestClient) -> None:
    """A real 422 and a real 401 are problem+json with the declared schema's fields."""
    invalid = client.post("/api/v1/website/login", json={})
    unauthenticated = client.get("/api/v1/me")
    for response, status in ((invalid, 422), (unauthenticated, 401)):
        assert response.status_code == status
        assert response.headers["content-type"] == PROBLEM_JSON
        body = response.json()
        assert {"type", "title", "status", "detail"} <= set(body)
        assert body["status"] == status
    assert {"field", "message"} <= set(invalid.json()["errors"][0])
