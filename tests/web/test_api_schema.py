"""Schemathesis against the app's own OpenAPI schema: no request, signed in or not, gets a 5xx."""

from __future__ import annotations

from pathlib import Path

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from jalon.web.app import Settings, create_app
from tests.web.conftest import csrf_of, sign_in


@pytest.fixture(params=["anonyme", "national"])
def api_schema(request: pytest.FixtureRequest, web_db: Path, tmp_path: Path):  # type: ignore[no-untyped-def]
    app = create_app(
        Settings(db_path=web_db, https_only=False, max_upload_bytes=4096, upload_dir=tmp_path)
    )
    loaded = schemathesis.openapi.from_asgi("/api/openapi.json", app)
    if request.param == "national":
        client = TestClient(app)
        sign_in(client, "national")
        token = csrf_of(client, "/imports")
        cookie = client.cookies.get("jalon_session")
        loaded.config.headers = {"X-CSRF-Token": token, "Cookie": f"jalon_session={cookie}"}
    return loaded


def test_no_server_error(api_schema: schemathesis.BaseSchema) -> None:
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 10
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=3,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def no_5xx(case: schemathesis.Case) -> None:
            case.call_and_validate(checks=[not_a_server_error])

        no_5xx()
