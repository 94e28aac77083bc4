"""`GET /vocabulary` on real PostgreSQL: every role reads the same labelled vocabulary, and the
stages, statuses and keys the read models answer after a real workflow are its values."""

from __future__ import annotations

from typing import Any

from tests.support.api import OFFICE, Api, Who
from tests.support.lifecycle import Lifecycle
from xuncha.events.base import Role


def _vocabulary(api: Api, who: Who = OFFICE) -> dict[str, dict[str, dict[str, str]]]:
    """name -> value -> {zh, en}."""
    body = api.get("/vocabulary", who)
    assert body["total"] == len(body["items"])
    return {v["name"]: {x["value"]: x for x in v["values"]} for v in body["items"]}


def test_every_role_a_token_carries_reads_the_same_vocabulary(api: Api) -> None:
    expected = api.get("/vocabulary")
    for role in Role:
        if role is Role.SYSTEM:
            continue
        who = Who(f"{role}-1", role, "org-any")
        assert api.get("/vocabulary", who) == expected, role
    anonymous = api.client.get("/vocabulary")
    assert anonymous.status_code == 401
    assert anonymous.headers["content-type"].startswith("application/problem+json")


def test_pages_show_the_chinese_and_english_labels(api: Api) -> None:
    vocabulary = _vocabulary(api)
    items = vocabulary["rectification_item_status"]
    assert items["in_progress"]["zh"] == "整改中"
    assert items["in_progress"]["en"] == "In progress"
    assert items["closed"]["zh"] == "已销号"
    assert vocabulary["warning_level"]["red"]["zh"] == "红色预警"
    assert vocabulary["inspection_stage"]["report_office_reviewed"]["en"]
    assert vocabulary["role"]["inspection_office"]["zh"] == "巡察办"
    assert set(vocabulary["aging_bucket"]) == {
        "not_overdue",
        "overdue_1_30",
        "overdue_31_90",
        "overdue_91_180",
        "overdue_over_180",
    }


def _in(vocabulary: dict[str, dict[str, Any]], name: str, *values: Any) -> None:
    unknown = {str(v) for v in values if v is not None} - set(vocabulary[name])
    assert not unknown, (name, unknown)


def test_what_read_models_answer_is_in_the_vocabulary(api: Api) -> None:
    life = Lifecycle(api)
    life.to_rectifying()
    life.close_item(life.item_ids[0])
    vocabulary = _vocabulary(api)

    round_ = api.get(f"/rounds/{life.round_id}")
    _in(vocabulary, "round_stage", round_["stage"])
    _in(vocabulary, "round_type", round_["round_type"])
    inspection = api.get(f"/inspections/{life.inspection_id}")
    _in(vocabulary, "inspection_stage", inspection["stage"])
    assert inspection["stage"] == "rectifying"

    item = api.get(f"/rectification-items/{life.item_ids[0]}")
    assert item["status"] == "closed"
    _in(vocabulary, "rectification_item_status", item["status"])
    _in(vocabulary, "warning_level", item["colour"])

    board = api.get(f"/dashboards/rounds/{life.round_id}")
    _in(vocabulary, "round_stage", board["round"]["stage"])
    _in(vocabulary, "inspection_stage", *board["totals"]["stages"])
    inspections = [i for g in board["groups"]["items"] for i in g["inspections_detail"]]
    assert inspections
    _in(vocabulary, "inspection_stage", *(i["stage"] for i in inspections))
    assert set(board["totals"]["leads_by_state"]) == set(vocabulary["lead_stage"])

    rectification = api.get("/dashboards/rectification")
    for bucket in vocabulary["aging_bucket"]:
        assert bucket in rectification["totals"], bucket

    leads = api.get("/dashboards/leads")["totals"]
    assert set(leads["four_forms"]) == set(vocabulary["four_forms"])
    assert set(leads["dispositions"]) == set(vocabulary["lead_disposition"])


# Query filters on a vocabulary: (path, parameter, vocabulary).
FILTERS = [
    ("/inspections", "stage", "inspection_stage"),
    ("/rectification-items", "status", "rectification_item_status"),
    ("/leads", "status", "lead_stage"),
    ("/inspections/{inspection_id}/petitions", "status", "petition_status"),
    ("/dashboards/rounds", "stage", "round_stage"),
    ("/dashboards/rounds/{round_id}", "stage", "inspection_stage"),
    ("/coverage/terms/{term_id}", "status", "coverage_status"),
    ("/shared-results", "evaluation_grade", "evaluation_grade"),
    ("/inspectors", "pool_status", "pool_member_status"),
]


def _enum_of(document: dict[str, Any], path: str, name: str) -> list[str]:
    [parameter] = [p for p in document["paths"][path]["get"]["parameters"] if p["name"] == name]
    schemas = parameter["schema"].get("anyOf", [parameter["schema"]])
    for schema in schemas:
        if "$ref" in schema:
            schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
        if "enum" in schema:
            return list(schema["enum"])
    raise AssertionError(f"{path} {name}: no enum in {parameter['schema']}")


def test_query_filters_on_a_vocabulary_declare_its_values_and_refuse_others(api: Api) -> None:
    vocabulary = _vocabulary(api)
    document = api.client.get("/openapi.json").json()
    for path, name, values in FILTERS:
        assert _enum_of(document, path, name) == list(vocabulary[values]), (path, name)
    for path in ("/inspections", "/dashboards/rounds"):
        response = api.client.get(path, params={"stage": "in_progres"}, headers=api.headers(OFFICE))
        assert response.status_code == 422, (path, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
