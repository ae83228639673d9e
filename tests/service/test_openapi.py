"""The OpenAPI document describes the errors the service really sends: problem documents."""

from __future__ import annotations

from fastapi.testclient import TestClient

from creditbank.service.problems import PROBLEM_MEDIA_TYPE


def test_every_operation_documents_its_errors_as_problem_documents(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    operations = [op for path in document["paths"].values() for op in path.values()]
    assert operations
    for operation in operations:
        responses = operation["responses"]
        assert "HTTPValidationError" not in str(responses)  # never sent
        schema = responses["default"]["content"][PROBLEM_MEDIA_TYPE]["schema"]
        assert schema == {"$ref": "#/components/schemas/ProblemDocument"}
    components = document["components"]["schemas"]
    assert "HTTPValidationError" not in components
    assert set(components["ProblemDocument"]["required"]) >= {"type", "title", "status", "code"}
    assert "ProblemItem" in components


def test_a_problem_sent_matches_the_documented_schema(client: TestClient) -> None:
    import jsonschema

    document = client.get("/openapi.json").json()
    components = document["components"]["schemas"]
    schema = {**components["ProblemDocument"], "components": {"schemas": components}}
    problem = client.get("/v1/nothing-here").json()
    jsonschema.validate(problem, schema)
