"""The metric registry holds every metric of the product brief, as the spec defines it."""

from __future__ import annotations

from app.banks.aspects import ASPECTS
from app.banks.metrics import (
    METRICS,
    RIGHTS_BY_TOUCHPOINT,
    get_metric,
    metrics_for,
    right_touchpoints,
)

BRIEF_METRICS = {
    "satisfaction.overall",
    "satisfaction.ease_of_contact",
    "satisfaction.actions",
    "satisfaction.kept_informed",
    "satisfaction.treatment",
    "procedural_justice.voice",
    "procedural_justice.respect",
    "procedural_justice.neutrality",
    "procedural_justice.trust",
    "procedural_justice.believed",
    *(f"victims_code.right_{n}" for n in range(1, 13)),
    *(aspect.id for aspect in ASPECTS),  # each right's aspects (issue 13)
    "report_again",
    "confidence",
    "feel_safe",
    "retraumatisation",
    "attrition",
    "specialist_support",
    "kept_informed_bail",
    "choice_of_officer",
}


def test_registry_holds_every_metric_once() -> None:
    ids = [metric.id for metric in METRICS]
    assert len(ids) == len(set(ids))
    assert set(ids) == BRIEF_METRICS


def test_satisfaction_counts_the_satisfied_and_excludes_non_answers() -> None:
    metric = get_metric("satisfaction.overall")
    assert metric is not None
    assert metric.positive_codes == {"completely_satisfied", "very_satisfied", "fairly_satisfied"}
    assert metric.excluded_codes == {"dont_know", "prefer_not_to_say", "not_applicable"}
    assert not metric.lower_is_better


def test_lower_is_better_and_restricted_metrics() -> None:
    attrition = get_metric("attrition")
    assert attrition is not None and attrition.lower_is_better
    assert attrition.touchpoints == {"investigation", "outcome", "court"}
    worse = get_metric("retraumatisation")
    assert worse is not None and worse.lower_is_better
    assert worse.positive_codes == {"yes_a_lot", "yes_a_little"}
    believed = get_metric("procedural_justice.believed")
    assert believed is not None and believed.crime_groups == {"general", "rasso", "vawg"}
    for specialist in ("specialist_support", "choice_of_officer"):
        metric = get_metric(specialist)
        assert metric is not None and metric.crime_groups == {"rasso", "vawg"}
    bail = get_metric("kept_informed_bail")
    assert bail is not None and bail.touchpoints == {"investigation", "outcome", "court"}
    assert get_metric("report_again").positive_codes == {"definitely", "probably"}  # type: ignore[union-attr]
    assert get_metric("nothing") is None


def test_rights_touchpoints_follow_the_brief_table() -> None:
    assert RIGHTS_BY_TOUCHPOINT["reporting"] == {1, 2, 3, 4, 5, 7, 12}
    assert RIGHTS_BY_TOUCHPOINT["investigation"] == {1, 4, 5, 6, 7, 10, 12}
    assert RIGHTS_BY_TOUCHPOINT["outcome"] == {1, 6, 7, 8, 10, 12}
    assert RIGHTS_BY_TOUCHPOINT["court"] == {1, 8, 10, 12}
    assert RIGHTS_BY_TOUCHPOINT["sentence"] == {1, 7, 9, 11, 12}
    assert right_touchpoints(11) == {"sentence"}
    right_8 = get_metric("victims_code.right_8")
    assert right_8 is not None and right_8.touchpoints == {"outcome", "court"}
    assert right_8.positive_codes == {"yes"}
    assert "not_applicable" in right_8.excluded_codes


def test_metrics_for_a_crime_group() -> None:
    general = {metric.id for metric in metrics_for("general")}
    rasso = {metric.id for metric in metrics_for("rasso")}
    assert rasso - general == {"specialist_support", "kept_informed_bail", "choice_of_officer"}
    assert len(general) == 27 + len(ASPECTS)


def test_standard_answers_contain_the_positive_ones() -> None:
    for metric in METRICS:
        assert metric.standard_codes, metric.id
        assert metric.positive_codes <= set(metric.standard_codes), metric.id
