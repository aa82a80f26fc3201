"""Source-format adapters on hand-made fixtures (`tests/fixtures/formats`, written by its make_fixtures.py).

Each fixture reproduces one export's shape in a few rows, and together they cover the cross-cutting
quirks of real files:

| quirk | fixture |
|---|---|
| UTF-8 BOM, `;` delimiter, multi-line quoted cells, leading `'` escape | ciso_assessment.csv |
| decimal comma (`3,5`) | maturity_semicolon.csv |
| percentages as text (`85%`, `45 %`) | maturity_percent.csv |
| title rows above the header | soa_titles_merged.xlsx, maturity_scores.xlsx, aiaaic_small.xlsx |
| two-row header with a merged group | aiaaic_small.xlsx; 2 and 3 header rows: nannyml_perf.csv, nannyml_drift.csv |
| merged cells in the data area | soa_titles_merged.xlsx (justification), aiaaic_small.xlsx (`SYSTEM` divider) |
| formulas: cached values / never computed | maturity_scores.xlsx / maturity_uncomputed.xlsx |
| trailing spaces and case (`Yes `, `yes `, `No `) | soa_titles_merged.xlsx |
| years as floats and ranges (`2022.0`, `2023-2024`, `2018-`) | aiaaic_small.xlsx |
| ISO dates as text | oecd_small.xlsx, aiid/incidents.csv |
| epoch milliseconds | mlflow_history.csv, mlflow_chart.csv |
| tz-aware ISO with microseconds | mlflow_runs.csv |
| leading `'` before a number (`'-0.5`), every field quoted | mlflow_chart.csv |
| multi-valued cells (`; `, JSON arrays, `, `) | aiaaic_small.xlsx, aiid/incidents.csv, oecd_small.xlsx |
| duplicated header names (`AI System` twice) | aiid/classifications_CSETv1.csv |
| booleans as text (`True`/`False`, `Ano`/`Ne`) | nannyml_*.csv, aiid/classifications_CSETv1.csv, soa_czech.xlsx |
| bloated sheet dimensions (`A1:XEZ301`) | soa_bloated.xlsx |
| non-English headers | soa_czech.xlsx |
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import duckdb

from loaders.formats import FORMATS, supported
from loaders.formats._base import Document, dedupe
from loaders.pipeline import LoadOptions, prepare
from store.writer import load_file

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "formats"
AS_OF = dt.date(2026, 9, 30)


def load(store, name: str | Path, **options):
    path = name if isinstance(name, Path) else FIXTURES / name
    return load_file(store, path, LoadOptions(**{"as_of": AS_OF, **options}), user="test")


def loaded(store, name, **options):
    result = load(store, name, **options)
    assert result.outcome == "loaded", [m.describe() for m in result.problems]
    return result


def refused(store, name, code="not_a_dataset", **options):
    result = load(store, name, **options)
    assert result.outcome == "refused"
    (message,) = result.problems
    assert message.code == code, message.describe()
    return message.text


def rows(store, sql: str, **params) -> list[dict]:
    cur = store.execute(sql, params)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def codes(result, severity="warning") -> list[tuple[str, int | None]]:
    return [(m.code, m.row) for m in result.messages if m.severity == severity]


# --- the registry ----------------------------------------------------------------------------------------------


def test_every_format_is_registered_once_with_a_title():
    names = [f.name for f in FORMATS]
    assert len(names) == len(set(names))
    assert all(f.title and f.kind in ("document", "table") for f in FORMATS)
    text = supported()
    for f in FORMATS:
        if f.datasets:
            assert f.title in text
    assert "external_incidents" in text and "controls" in text


def test_unknown_json_and_yaml_list_the_formats_and_datasets(store):
    for name in ("unknown.json", "unknown.yaml"):
        text = refused(store, name, code="unknown_format")
        assert (
            "formats recognised from their content" in text and "datasets recognised by their headers" in text
        )
    assert "top-level keys: runs, owner" in refused(store, "unknown.json", code="unknown_format")


def test_a_table_of_no_dataset_lists_the_formats_too(store, tmp_path):
    path = tmp_path / "people.csv"
    path.write_text("Name,Age,City\nAnn,30,Prague\n", encoding="utf-8")
    text = refused(store, path, code="unknown_dataset")
    assert "no sheet has the columns of any dataset" in text and "NannyML results CSV" in text


def test_dataset_option_that_contradicts_the_format_is_refused(store):
    text = refused(store, "evidently_snapshot.json", code="bad_option", dataset="controls", system="X")
    assert "rows go to monitoring" in text


def test_widgets_are_dropped_while_parsing():
    path = FIXTURES / "evidently_dumps.json"
    data = Document(path, path.read_bytes()[:100]).data
    assert "widgets" not in data and "widget" not in data["metric_results"]["f4"]


def test_duplicated_headers_get_a_suffix():
    assert dedupe(["AI System", "x", "AI System", None]) == ["AI System", "x", "AI System__2", ""]


# --- monitoring ---------------------------------------------------------------------------------------------------


def test_evidently_snapshot_directions_tests_and_disagreement(store):
    result = loaded(store, "evidently_snapshot.json", system="Credit scoring", model_version="3.2")
    points = {
        (r["metric"], r["feature"]): r
        for r in rows(
            store, "select metric, feature, value, lower_threshold, upper_threshold, verdict from monitoring"
        )
    }
    assert len(points) == 7
    # a p-value drifts below its threshold, a distance above it
    assert points[("ValueDrift", "a")] | {} == {
        "metric": "ValueDrift", "feature": "a", "value": 0.01, "lower_threshold": 0.05, "upper_threshold": None,
        "verdict": "fail",
    }  # fmt: skip
    assert (points[("ValueDrift", "b")]["upper_threshold"], points[("ValueDrift", "b")]["verdict"]) == (
        0.1,
        "pass",
    )
    assert points[("Accuracy", None)]["lower_threshold"] == 0.8  # gt test
    assert {k[1] for k in points if k[0] == "RecallByLabel"} == {"label=0", "label=1"}
    share = points[("DriftedColumnsCount.share", None)]
    assert (share["value"], share["upper_threshold"], share["verdict"]) == (0.5, 0.5, "fail")
    # Evidently fails `share < 0.5` at 0.5; our rule breaches only above the bound: shown, not hidden
    summary = result.plan.sheets[0].summary
    assert "breaches (value below its lower or above its upper threshold): 2" in summary[0]
    assert "the tool's verdict fail: 3; disagreements: 1" in summary[0]
    assert any(line.startswith("no breach: DriftedColumnsCount.share") for line in summary)
    assert rows(store, "select distinct observed_at, model_version from monitoring") == [
        {"observed_at": dt.datetime(2026, 9, 30), "model_version": "3.2"}
    ]
    assert result.plan.sheets[0].context["time"] == "2026-09-30 (--as-of)"


def test_evidently_snapshot_without_time_is_stamped_with_the_import_day_and_warns(store):
    result = load_file(store, FIXTURES / "evidently_snapshot.json", LoadOptions(system="S"), user="test")
    assert result.outcome == "loaded"
    assert ("assumed_time", None) in codes(result)
    assert result.plan.sheets[0].as_of_source == "import day"


def test_monitoring_export_without_a_system_is_refused(store):
    for name in ("evidently_snapshot.json", "nannyml_perf.csv", "mlflow_history.csv", "whylogs_small.csv"):
        text = refused(store, name, code="missing_context")
        assert "give it with --system" in text


def test_system_and_version_from_the_file_name(store, tmp_path):
    path = tmp_path / "monitoring_claims-triage_v2.1_2026-Q3.csv"
    shutil.copy(FIXTURES / "nannyml_perf.csv", path)
    result = loaded(store, path)
    context = result.plan.sheets[0].context
    assert context["AI system"] == "claims triage v2.1 (file name)" or context["AI system"].endswith(
        "(file name)"
    )
    assert context["model version"] == "2.1 (file name)"


def test_evidently_workspace_snapshot_context_and_option_override(store):
    result = loaded(store, "evidently_dumps.json")
    assert result.plan.sheets[0].context["AI system"] == "Credit scoring (metadata.model in the file)"
    assert rows(store, "select metric, value, model_version, observed_at from monitoring order by row_no, metric") == [
        {"metric": "Accuracy", "value": 0.91, "model_version": "3.2", "observed_at": dt.datetime(2026, 9, 30, 6)},
        {"metric": "DriftedColumnsCount.count", "value": 0.0, "model_version": "3.2",
         "observed_at": dt.datetime(2026, 9, 30, 6)},
        {"metric": "DriftedColumnsCount.share", "value": 0.0, "model_version": "3.2",
         "observed_at": dt.datetime(2026, 9, 30, 6)},
    ]  # fmt: skip
    with duckdb.connect() as stage:
        plan = prepare(stage, FIXTURES / "evidently_dumps.json", LoadOptions(system="Fraud radar"))
    assert plan.sheets[0].context["AI system"] == "Fraud radar (--system)"


def test_evidently_legacy_report(store):
    loaded(store, "evidently_legacy.json", system="S")
    assert store.execute("select count(*) from monitoring").fetchone() == (10,)
    drift = rows(
        store,
        "select feature, value, lower_threshold, upper_threshold, verdict, test_name from monitoring "
        "where metric = 'DataDriftTable.drift_score' order by feature",
    )
    assert drift == [
        {"feature": "a", "value": 0.01, "lower_threshold": 0.05, "upper_threshold": None, "verdict": "fail",
         "test_name": "K-S p_value drift test"},
        {"feature": "b", "value": 0.02, "lower_threshold": None, "upper_threshold": 0.1, "verdict": "pass",
         "test_name": "PSI drift test"},
    ]  # fmt: skip
    assert rows(
        store,
        "select feature, value from monitoring where metric = 'ClassificationQualityMetric.accuracy' order by 1",
    ) == [{"feature": "reference", "value": 0.95}, {"feature": None, "value": 0.9}]


def test_nannyml_three_header_rows_skip_reference_and_keep_one_sided_thresholds(store):
    result = loaded(store, "nannyml_drift.csv", system="S")
    got = rows(
        store,
        "select metric, feature, observed_at, value, lower_threshold, upper_threshold, verdict, verdict_raw, row_no "
        "from monitoring order by observed_at, metric",
    )
    assert got == [
        {"metric": "chi2", "feature": "region", "observed_at": dt.datetime(2026, 6, 30, 23, 59, 59), "value": 2.5,
         "lower_threshold": None, "upper_threshold": None, "verdict": "pass", "verdict_raw": "pass", "row_no": 5},
        {"metric": "jensen_shannon", "feature": "income", "observed_at": dt.datetime(2026, 6, 30, 23, 59, 59),
         "value": 0.02, "lower_threshold": None, "upper_threshold": 0.05, "verdict": "pass", "verdict_raw": "pass",
         "row_no": 5},
        {"metric": "chi2", "feature": "region", "observed_at": dt.datetime(2026, 9, 30, 23, 59, 59), "value": 9.5,
         "lower_threshold": None, "upper_threshold": None, "verdict": "fail", "verdict_raw": "fail", "row_no": 6},
        {"metric": "jensen_shannon", "feature": "income", "observed_at": dt.datetime(2026, 9, 30, 23, 59, 59),
         "value": 0.09, "lower_threshold": None, "upper_threshold": 0.05, "verdict": "fail", "verdict_raw": "fail",
         "row_no": 6},
    ]  # fmt: skip
    assert result.plan.sheets[0].value_maps["alert"] == {"True": "fail", "False": "pass"}
    assert "1 reference chunks skipped" in result.plan.sheets[0].context["chunks"]


def test_nannyml_two_header_rows(store):
    loaded(store, "nannyml_perf.csv", system="S")
    assert rows(store, "select metric, value, lower_threshold, upper_threshold, verdict from monitoring") == [
        {
            "metric": "roc_auc",
            "value": 0.8,
            "lower_threshold": 0.85,
            "upper_threshold": None,
            "verdict": "fail",
        }
    ]


def test_mlflow_history_epoch_milliseconds(store):
    loaded(store, "mlflow_history.csv", system="S")
    assert rows(store, "select observed_at, value, feature from monitoring order by observed_at") == [
        {"observed_at": dt.datetime(2026, 9, 30), "value": 0.91, "feature": "run=r1"},
        {"observed_at": dt.datetime(2026, 10, 1), "value": 0.88, "feature": "run=r1"},
    ]


def test_mlflow_chart_all_quoted_with_an_escaped_negative_number(store):
    loaded(store, "mlflow_chart.csv", system="S")
    assert rows(store, "select value, feature from monitoring order by observed_at") == [
        {"value": -0.5, "feature": "run=daily-v1"},
        {"value": 0.25, "feature": "run=daily-v1"},
    ]


def test_mlflow_runs_tz_aware_times_and_threshold_parameters(store):
    result = loaded(store, "mlflow_runs.csv")
    got = rows(
        store,
        "select metric, observed_at, ai_system, model_version, lower_threshold, upper_threshold from monitoring "
        "order by metric",
    )
    when = dt.datetime(2026, 9, 30, 4, 30, 0, 500000)  # 06:30:00.5 at +02:00, kept in UTC
    assert got == [
        {"metric": "accuracy", "observed_at": when, "ai_system": "Credit scoring", "model_version": "2",
         "lower_threshold": 0.9, "upper_threshold": None},
        {"metric": "log_loss", "observed_at": when, "ai_system": "Credit scoring", "model_version": "2",
         "lower_threshold": None, "upper_threshold": 0.3},
    ]  # fmt: skip
    assert (
        "breaches (value below its lower or above its upper threshold): 2" in result.plan.sheets[0].summary[0]
    )


def test_whylogs_profile_points(store):
    loaded(store, "whylogs_small.csv", system="S")
    got = rows(store, "select feature, metric, value from monitoring order by feature, metric")
    assert got == [
        {"feature": "age", "metric": "counts/n", "value": 100.0},
        {"feature": "age", "metric": "counts/null", "value": 2.0},
        {"feature": "age", "metric": "distribution/mean", "value": 41.5},
        {"feature": "age", "metric": "types/string", "value": 0.0},
        {"feature": "region", "metric": "counts/n", "value": 100.0},
        {"feature": "region", "metric": "counts/null", "value": 0.0},
        {"feature": "region", "metric": "types/string", "value": 100.0},
    ]


# --- controls -----------------------------------------------------------------------------------------------------


def test_ciso_assessment_csv_with_bom_semicolons_sections_and_scores(store):
    result = loaded(store, "ciso_assessment.csv")
    got = rows(
        store,
        "select requirement_id, applicable, status, status_raw, score, score_scale from controls order by row_no",
    )
    assert got == [
        {"requirement_id": "4.1", "applicable": True, "status": "implemented", "status_raw": "compliant",
         "score": 4.0, "score_scale": "0-5"},
        {"requirement_id": "4.2", "applicable": True, "status": "partially_implemented",
         "status_raw": "partially_compliant", "score": 2.0, "score_scale": "0-5"},
        {"requirement_id": "7.5.1", "applicable": True, "status": "implemented", "status_raw": "compliant",
         "score": 5.0, "score_scale": "0-5"},
        {"requirement_id": "A.2.2", "applicable": True, "status": "not_implemented", "status_raw": "non_compliant",
         "score": 1.0, "score_scale": "0-5"},
        {"requirement_id": "A.2.3", "applicable": False, "status": None, "status_raw": "not_applicable",
         "score": None, "score_scale": "0-5"},
        {"requirement_id": "A.2.4", "applicable": True, "status": "not_assessed", "status_raw": "not_assessed",
         "score": None, "score_scale": "0-5"},
    ]  # fmt: skip
    notes = dict(store.execute("select requirement_id, notes from controls").fetchall())
    assert notes["4.1"] == "observations: Seen in the\ncontext register; progress: done"  # a multi-line cell
    assert notes["4.2"] == "observations: =SUM(A1); extended result: minor_nonconformity; progress: in_review"
    assert "3 (4, 7.5, A.2)" in result.plan.sheets[0].context["section rows skipped"]


def test_ciso_assessment_xlsx_skips_non_assessable_rows(store):
    loaded(store, "ciso_assessment.xlsx")
    got = rows(
        store, "select requirement_id, status, score, score_scale, notes from controls order by row_no"
    )
    assert got == [
        {"requirement_id": "A.6.1.2", "status": "partially_implemented", "score": 60.0, "score_scale": "0-100",
         "notes": "observations: Draft; progress: In progress; documentation score: 40"},
        {"requirement_id": "A.6.2.6", "status": "implemented", "score": 90.0, "score_scale": "0-100",
         "notes": "extended result: good_practice; progress: Done; documentation score: 80"},
    ]  # fmt: skip


def test_ciso_assessment_of_another_framework_is_refused(store):
    assert "of framework iso27001-2022" in refused(store, "ciso_assessment_iso27001.csv")


def test_ciso_templates_load_when_they_carry_the_required_fields(store):
    loaded(store, "ciso_incidents_with_dates.xlsx")
    assert rows(store, "select incident_id, detected_date, severity, severity_raw, status from incidents order by 1") == [
        {"incident_id": "IN.01", "detected_date": dt.date(2026, 5, 4), "severity": "critical",
         "severity_raw": "critical", "status": "investigating"},
        {"incident_id": "IN.02", "detected_date": dt.date(2026, 6, 10), "severity": "low", "severity_raw": "Minor",
         "status": "closed"},
    ]  # fmt: skip
    loaded(store, "ciso_applied_controls_42001.xlsx")
    assert rows(store, "select requirement_id, status from controls order by 1") == [
        {"requirement_id": "A.2.2", "status": "implemented"},
        {"requirement_id": "A.5.2", "status": "not_implemented"},
    ]


def test_ciso_library_is_a_catalogue(store):
    assert "2 requirement nodes (1 assessable)" in refused(store, "ciso_library.yaml")


def test_maturity_workbook_cached_formulas_and_derived_status(store):
    result = loaded(store, "maturity_scores.xlsx")
    got = rows(
        store, "select requirement_id, applicable, status, score, score_scale from controls order by row_no"
    )
    assert got == [
        {"requirement_id": "A.2.2", "applicable": True, "status": "implemented", "score": 4.0, "score_scale": "1-5"},
        {"requirement_id": "A.2.3", "applicable": True, "status": "partially_implemented", "score": 2.0,
         "score_scale": "1-5"},
        {"requirement_id": "A.2.4", "applicable": True, "status": "not_implemented", "score": 1.0,
         "score_scale": "1-5"},
        {"requirement_id": "A.3.2", "applicable": False, "status": None, "score": None, "score_scale": None},
        {"requirement_id": "A.3.3", "applicable": True, "status": "not_assessed", "score": None, "score_scale": None},
        {"requirement_id": "4.1", "applicable": True, "status": "implemented", "score": 3.0, "score_scale": "1-5"},
    ]  # fmt: skip
    assert result.plan.sheets[0].header_row == 0 and result.imports[0].sheet == "Assessment"
    assert result.plan.sheets[0].value_maps["score -> status"][">= 3"] == "implemented"


def test_maturity_formula_without_a_cached_value_warns(store):
    result = loaded(store, "maturity_uncomputed.xlsx")
    assert ("formula_without_value", 2) in codes(result)
    assert rows(store, "select requirement_id, status, score from controls order by row_no") == [
        {"requirement_id": "A.2.2", "status": "not_assessed", "score": None},
        {"requirement_id": "A.2.3", "status": "partially_implemented", "score": 2.0},
    ]


def test_maturity_decimal_comma_and_percentages(store):
    loaded(store, "maturity_semicolon.csv")
    assert rows(store, "select requirement_id, status, score from controls order by row_no") == [
        {"requirement_id": "A.6.2.2", "status": "implemented", "score": 3.5},
        {"requirement_id": "A.6.2.3", "status": "partially_implemented", "score": 2.5},
        {"requirement_id": "A.6.2.4", "status": "not_implemented", "score": 1.0},
        {"requirement_id": "A.6.2.5", "status": None, "score": None},
    ]
    loaded(store, "maturity_percent.csv", as_of=dt.date(2026, 12, 31))
    got = rows(
        store,
        "select requirement_id, status, score, score_scale from controls where requirement_id like 'A.7%' order by 1",
    )
    assert got == [
        {"requirement_id": "A.7.2", "status": "implemented", "score": 85.0, "score_scale": "0-100"},
        {"requirement_id": "A.7.3", "status": "partially_implemented", "score": 45.0, "score_scale": "0-100"},
        {"requirement_id": "A.7.4", "status": "not_implemented", "score": 20.0, "score_scale": "0-100"},
    ]


def test_soa_with_title_rows_merged_cells_and_trailing_spaces(store):
    result = loaded(store, "soa_titles_merged.xlsx")
    assert result.plan.source_format == "table" and result.plan.sheets[0].header_row == 4
    got = rows(
        store, "select requirement_id, applicable, status, justification from controls order by row_no"
    )
    assert got == [
        {"requirement_id": "A.5.2", "applicable": True, "status": "implemented", "justification": "Required by 6.1.4"},
        {"requirement_id": "A.5.3", "applicable": True, "status": "partially_implemented",
         "justification": "Required by 6.1.4"},  # the merged cell E5:E6
        {"requirement_id": "A.5.4", "applicable": False, "status": None, "justification": "No individuals affected"},
        {"requirement_id": "A.5.5", "applicable": True, "status": "planned", "justification": "Public-facing system"},
    ]  # fmt: skip


def test_soa_with_czech_headers(store):
    loaded(store, "soa_czech.xlsx")
    assert rows(
        store, "select requirement_id, applicable, status, evidence from controls order by row_no"
    ) == [
        {
            "requirement_id": "A.2.2",
            "applicable": True,
            "status": "implemented",
            "evidence": "https://intranet/politika",
        },
        {"requirement_id": "A.2.3", "applicable": True, "status": "partially_implemented", "evidence": None},
        {"requirement_id": "A.2.4", "applicable": False, "status": None, "evidence": None},
    ]


def test_soa_with_bloated_dimensions(store):
    result = loaded(store, "soa_bloated.xlsx")
    assert [(i.sheet, i.rows) for i in result.imports] == [("SoA", 2)]


def test_other_frameworks_are_refused_saying_what_they_are(store):
    text = refused(store, "nist_csf_assessment.xlsx")
    assert "NIST Cybersecurity Framework" in text and "6 requirements" in text and "requirement_id" in text
    text = refused(store, "iso27001_soa.csv")
    assert "ISO/IEC 27001:2022" in text and "5.23" in text


# --- incident catalogues ------------------------------------------------------------------------------------------


def test_aiid_snapshot_with_its_classifications_and_duplicates(store):
    result = loaded(store, "aiid/incidents.csv")
    got = rows(
        store,
        "select external_id, incident_date, year_start, deployer, harmed_parties, harms, category, match_category, "
        "country, description from external_incidents order by row_no",
    )
    assert got == [
        {"external_id": "1", "incident_date": dt.date(2015, 5, 19), "year_start": 2015, "deployer": "videoco",
         "harmed_parties": "children", "harms": None, "category": "1.2. Exposure to toxic content",
         "match_category": "harmful_content", "country": None,
         "description": "Recommendations exposed children to disturbing videos."},
        {"external_id": "2", "incident_date": dt.date(2018, 3, 18), "year_start": 2018, "deployer": "carco; fleetco",
         "harmed_parties": "pedestrians", "harms": "AI tangible harm event: tangible harm definitively occurred",
         "category": "7.3. Lack of capability or robustness", "match_category": "incorrect_output", "country": "US",
         "description": "An autonomous car struck\na pedestrian."},
    ]  # fmt: skip
    assert ("duplicates_skipped", None) in codes(result)


def test_aiid_side_files_alone_are_refused(store):
    assert "MIT classification of 2 AIID incidents" in refused(store, "aiid/classifications_MIT.csv")
    assert "CSETv1 classification" in refused(store, "aiid/classifications_CSETv1.csv")
    assert "duplicates list (1 incident numbers" in refused(store, "aiid/duplicates.csv")


def test_aiaaic_two_row_header_years_and_lists(store):
    result = loaded(store, "aiaaic_small.xlsx")
    got = rows(
        store,
        "select external_id, kind, date_text, year_start, year_end, country, harms, match_category, url "
        "from external_incidents order by row_no",
    )
    assert got == [
        {"external_id": "AIAAIC0003", "kind": "incident", "date_text": "2022", "year_start": 2022, "year_end": 2022,
         "country": "Singapore", "harms": "Individual: Financial loss", "match_category": "misuse",
         "url": "https://example.org/3"},
        {"external_id": "AIAAIC0002", "kind": "issue", "date_text": "2023-2024", "year_start": 2023,
         "year_end": 2024, "country": "USA; UK", "harms": "Societal: Democracy", "match_category": "misinformation",
         "url": "https://example.org/2"},
        {"external_id": "AIAAIC0001", "kind": "system", "date_text": "2018-", "year_start": 2018, "year_end": None,
         "country": "USA", "harms": "Individual: Death", "match_category": "safety", "url": "https://example.org/1"},
    ]  # fmt: skip
    assert result.plan.sheets[0].context["skipped rows"].startswith("1 ")  # the SYSTEM divider
    assert ("sheet_skipped", None) in codes(result)


def test_oecd_download(store):
    loaded(store, "oecd_small.xlsx")
    got = rows(
        store,
        "select external_id, incident_date, deployer, category, match_category from external_incidents order by row_no",
    )
    assert got == [
        {"external_id": "2025-07-27-c835", "incident_date": dt.date(2025, 7, 27), "deployer": None,
         "category": "Earthquake, Alert", "match_category": "incorrect_output"},
        {"external_id": "2025-07-17-5baa", "incident_date": dt.date(2025, 7, 17), "deployer": "AppCo",
         "category": "Nudity, Blackmail, Deepfake", "match_category": "harmful_content"},
    ]  # fmt: skip


def test_match_category_reads_our_own_incident_categories():
    from loaders.datasets.external_incidents import match_category

    ours = {
        "Model drift": "model_drift",
        "Data quality": "data_quality",
        "Availability": "availability",
        "Incorrect output": "incorrect_output",
        "Bias / fairness": "bias_fairness",
        "Security": "security",
        "Privacy": "privacy",
        "Human oversight": "human_oversight",
    }
    assert {k: match_category(k) for k in ours} == ours
    assert match_category(None, "nothing to see") is None


# --- what a dry run shows --------------------------------------------------------------------------------------------


def test_dry_run_prints_format_mapping_values_context_and_breaches(aims, tmp_path):
    done = aims("load", FIXTURES / "evidently_snapshot.json", "--system", "Credit scoring", "--dry-run",
                "--db", tmp_path / "x.duckdb")  # fmt: skip
    out = done.stdout
    assert done.returncode == 0, done.stderr
    assert "source format: evidently-0.7-snapshot (Evidently 0.7 snapshot JSON" in out
    assert "AI system: Credit scoring (--system)" in out
    assert "'tests[].status' -> verdict" in out
    assert "values of drift method: 'K-S p_value' -> p-value" in out
    assert "breach: Accuracy = 0.78 < lower 0.8; tool: fail" in out
    assert "assumed_time" in out
    assert not (tmp_path / "x.duckdb").exists()
