"""The R5 workflow over HTTP, end to end, on SQLite and on PostgreSQL: open, deposit, apply,
review, approve, statement, verify; the statement is exactly what the CLI prints for the
same ledger. And the review queue a school's token sees."""

from __future__ import annotations

import json

from click.testing import CliRunner

from creditbank.cli import cli
from creditbank.ledger import Ledger
from creditbank.models import Standards
from creditbank.testing.ledger import MENU, PROGRAMS
from tests.conftest import LedgerBackend
from tests.service.ledger_world import OWN, Callers, fingerprint, issue_callers, serving


def test_the_r5_workflow_over_http_matches_the_cli(
    ledger_backend: LedgerBackend, standards: Standards
) -> None:
    location = ledger_backend.new()
    Ledger.open(location, create=True).close()
    callers = issue_callers(location, standards)
    with serving(location, standards) as client:

        def post(who: str, path: str, body: object, key: str) -> dict[str, object]:
            response = client.post(path, json=body, headers=callers.headers(who, key=key))
            assert response.status_code == 201, response.text
            body_out: dict[str, object] = response.json()
            return body_out

        account = f"/v1/accounts/{OWN}"
        post("learner_own", "/v1/accounts", {"account": OWN}, "open")
        post("issuer", f"{account}/deposits", {"achievement": MENU["elec-l4"]}, "d1")
        post("issuer", f"{account}/deposits", {"achievement": MENU["robot-operator-l4"]}, "d2")
        applied = post("learner_own", f"{account}/applications", {"program": PROGRAMS[0]}, "a1")
        application = applied["application"]
        assert application == "app-1"
        queue = client.get(
            "/v1/applications",
            params={"state": "applied"},
            headers=callers.headers("school_reviewer"),
        ).json()["applications"]
        assert [(q["account"], q["application"]) for q in queue] == [(OWN, application)]
        steps = f"{account}/applications/{application}"
        post("school_reviewer", f"{steps}/review", {"reason": "材料齐全"}, "r1")
        approved = post("academic_affairs", f"{steps}/approve", None, "p1")
        assert [e["payload"]["type"] for e in approved["events"]][-1] == "credits_posted"  # type: ignore[index]
        statement = client.get(f"{account}/statement", headers=callers.headers("learner_own"))
        verify = client.get("/v1/ledger/verify", headers=callers.headers("bank_operator"))
        summary = client.get(account, headers=callers.headers("learner_own")).json()
    assert statement.status_code == 200 and verify.status_code == 200
    assert verify.json()["ok"] is True and verify.json()["events"] == fingerprint(location)[0]
    printed = CliRunner().invoke(
        cli, ["ledger", "--db", location, "statement", OWN, "--format", "json"]
    )
    assert printed.exit_code == 0, printed.output
    assert statement.json() == json.loads(printed.output)
    assert summary["applications"] == {"posted": 1}
    assert summary["posted"] == {PROGRAMS[0]: statement.json()["programs"][0]["posted"]}
    assert summary["achievements"] == {"active": 2}


def test_the_review_queue_shows_a_school_its_own_applications(
    world: str, callers: Callers, standards: Standards
) -> None:
    with serving(world, standards) as client:

        def queue(who: str, **params: str) -> list[tuple[str, str]]:
            response = client.get("/v1/applications", params=params, headers=callers.headers(who))
            assert response.status_code == 200, response.text
            return [(q["application"], q["state"]) for q in response.json()["applications"]]

        everything = [("app-1", "applied"), ("app-2", "reviewed")]
        assert queue("school_reviewer") == everything
        assert queue("academic_affairs", state="reviewed") == [("app-2", "reviewed")]
        assert queue("school_reviewer", program=PROGRAMS[0]) == [("app-1", "applied")]
        assert queue("bank_operator") == everything
        assert queue("reviewer_other_school") == []
        bad_state = client.get(
            "/v1/applications",
            params={"state": "nonsense"},
            headers=callers.headers("bank_operator"),
        )
    assert bad_state.status_code == 422 and bad_state.json()["code"] == "INVALID_REQUEST"
