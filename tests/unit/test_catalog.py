"""The catalog is consistent with itself, the models and the design card's table."""

from __future__ import annotations

import typing

import pytest

from events import CATALOG, EVENT_MODELS, UnknownEventType, route_for
from events.catalog import CATALOG_JSON, render_catalog_json
from events.models import AnyEvent

pytestmark = [pytest.mark.unit, pytest.mark.contract]

SEED_TABLE = {
    "analyze.completed": ("glens-analyze", "fn-report-generator"),
    "test.failed": ("glens-test-results", "fn-issue-creator"),
    "report.generated": ("glens-reports", "fn-notification"),
    "secret.stored": ("glens-secrets", "fn-audit-logger"),
    "export.scheduled": ("glens-export", "fn-bigquery-exporter"),
}


def test_catalog_matches_the_design_card():
    assert {r.event_type: (r.topic, r.function) for r in CATALOG} == SEED_TABLE


@pytest.mark.parametrize(
    "attribute",
    [
        "event_type",
        "topic",
        "function",
        "entry_point",
        "flow_name",
        "deployment",
        "dead_letter_topic",
        "subscription",
        "flow_entrypoint",
    ],
)
def test_catalog_values_are_unique(attribute):
    values = [getattr(route, attribute) for route in CATALOG]
    assert len(set(values)) == len(values)


def test_each_route_model_serves_its_event_type():
    for route in CATALOG:
        literal = route.event_model.model_fields["event_type"].annotation
        assert typing.get_args(literal) == (route.event_type,)
        assert route.entry_point == route.function.removeprefix("fn-").replace("-", "_")


def test_union_covers_exactly_the_catalog():
    union_members = typing.get_args(typing.get_args(AnyEvent)[0])
    assert set(union_members) == set(EVENT_MODELS) == {r.event_model for r in CATALOG}


def test_committed_catalog_json_is_current():
    assert CATALOG_JSON.read_text() == render_catalog_json(), "run `glens events schema`"


def test_unknown_event_type_names_known_ones():
    with pytest.raises(UnknownEventType, match=r"analyze\.completed"):
        route_for("analyze.started")
