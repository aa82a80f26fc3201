"""Every file of the real-exports folder (`shared/realdata`, beside the repository) loads with the expected
counts or is refused with a message saying what it is.

The folder holds third-party files (see its READMEs for provenance and licences): they are read in place
and never copied into the repository. When it is missing the module is skipped, except in CI (`CI=true`),
where that is a failure.

Expected numbers were worked out independently of the loader, by reading the files with pandas / json /
openpyxl (the expression is given beside each number), not by running the loader.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from loaders.pipeline import LoadOptions
from store.writer import load_file

REALDATA = Path(__file__).resolve().parents[2] / "shared" / "realdata"
IN_CI = os.environ.get("CI", "").lower() == "true"

if not REALDATA.is_dir() and not IN_CI:
    pytest.skip(f"no real-exports folder at {REALDATA}", allow_module_level=True)

SYSTEM = {"system": "Credit scoring"}
MON = "monitoring"

# path -> (options, expected): ("loaded", dataset, rows) or ("refused", code, [phrases in the message])
EXPECTED: dict[str, tuple[dict, tuple]] = {
    # json.load(f): sum(len(m['value']) if isinstance(m['value'], dict) else 1 for m in d['metrics']) == 30
    f"{MON}/evidently_0.7_snapshot_simple.json": (
        {**SYSTEM, "as_of": dt.date(2025, 1, 15)},
        ("loaded", MON, 30),
    ),
    # sum(2 if CountValue, len(values) if ByLabelValue, else 1 over d['metric_results'].values()) == 30
    f"{MON}/evidently_0.7_snapshot_dumps.json": ({}, ("loaded", MON, 30)),
    # len(pd.read_csv(f)) == 30 (one row per metric value)
    f"{MON}/evidently_0.7_metric_values_long.csv": (SYSTEM, ("loaded", MON, 30)),
    f"{MON}/evidently_0.7_tests.csv": (
        SYSTEM,
        ("refused", "not_a_dataset", ["Evidently tests table", "21 tests"]),
    ),
    # DatasetDriftMetric 3 + DataDriftTable 3 + len(drift_by_columns)=12 + ClassificationQualityMetric 2x10
    # + ClassificationQualityByClass 2x(2 labels x 4 + 2 roc_aucs) + ClassificationConfusionMatrix 2x4 == 66
    f"{MON}/evidently_0.4_report_as_dict.json": (SYSTEM, ("loaded", MON, 66)),
    # len(pd.read_csv(f).select_dtypes('number').filter(regex='^(current|reference)_').columns) == 20
    f"{MON}/evidently_0.4_as_dataframe_ClassificationQualityMetric.csv": (SYSTEM, ("loaded", MON, 20)),
    f"{MON}/evidently_0.4_as_dataframe_DataDriftTable.csv": (SYSTEM, ("loaded", MON, 12)),  # len(df)
    # number_of_columns, number_of_drifted_columns, share_of_drifted_columns
    f"{MON}/evidently_0.4_as_dataframe_DatasetDriftMetric.csv": (SYSTEM, ("loaded", MON, 3)),
    # (df['chunk','period'] == 'analysis').sum() * number of metrics (3) == 10 * 3
    f"{MON}/nannyml_realized_performance.csv": (SYSTEM, ("loaded", MON, 30)),
    f"{MON}/nannyml_estimated_performance_cbpe.csv": (SYSTEM, ("loaded", MON, 30)),
    f"{MON}/nannyml_estimated_performance_cbpe_flat.csv": (SYSTEM, ("loaded", MON, 30)),
    # header=[0,1,2]: 10 analysis chunks x 14 (column, method) pairs with a 'value' == 140
    f"{MON}/nannyml_univariate_drift.csv": (SYSTEM, ("loaded", MON, 140)),
    # df.filter(like='metrics.').notna().sum().sum() == 8 (2 runs x 4 metrics); the system is tags.model_name
    f"{MON}/mlflow_search_runs.csv": ({}, ("loaded", MON, 8)),
    f"{MON}/mlflow_experiments_csv.csv": ({}, ("loaded", MON, 8)),
    f"{MON}/mlflow_metric_history.csv": (SYSTEM, ("loaded", MON, 112)),  # len(df)
    f"{MON}/mlflow_ui_chart_metric_history_EMULATED.csv": (SYSTEM, ("loaded", MON, 56)),  # len(df)
    # df.set_index('column').drop(frequent_items*, type).notna().sum().sum() == 187
    f"{MON}/whylogs_profile_summary.csv": ({**SYSTEM, "as_of": dt.date(2025, 1, 15)}, ("loaded", MON, 187)),
    # --- controls ---------------------------------------------------------------------------------------
    "controls/ciso_assistant/applied_controls_template.xlsx": (
        {},
        (
            "refused",
            "not_a_dataset",
            ["applied-controls import template", "20 applied controls", "requirement_id"],
        ),
    ),
    # 3 data rows under the header (openpyxl: ws.max_row - 1)
    "controls/ciso_assistant/findings_assessment_template.xlsx": ({}, ("loaded", "findings", 3)),
    "controls/ciso_assistant/incidents_template.xlsx": (
        {},
        ("refused", "not_a_dataset", ["incidents import template", "missing: detected_date"]),
    ),
    # grep -c '^    - urn: urn:intuitem:risk:req_node' == 88; grep -c 'assessable: true' == 67
    "controls/ciso_assistant/iso42001-2023.yaml": (
        {},
        (
            "refused",
            "not_a_dataset",
            ["framework library", "88 requirement nodes (67 assessable)", "not an assessment"],
        ),
    ),
    # distinct 'XX.YY-NN.N:' prefixes over every cell (openpyxl, all sheets) == 218
    "controls/cyfun/CyFun2025_Self-Assessment_tool_ESSENTIAL_v3.1.xlsx": (
        {},
        ("refused", "not_a_dataset", ["CyberFundamentals", "218 requirements", "another framework"]),
    ),
    # --- incident catalogues ----------------------------------------------------------------------------
    # len(df) == 989, minus incident 637 listed in duplicates.csv (the only duplicate present) == 988
    "incidents/aiid_snapshot_2025-03/incidents.csv": ({}, ("loaded", "external_incidents", 988)),
    "incidents/aiid_snapshot_2025-03/classifications_MIT.csv": (
        {},
        ("refused", "not_a_dataset", ["taxonomy", "MIT classification of 869"]),
    ),
    "incidents/aiid_snapshot_2025-03/classifications_CSETv1.csv": (
        {},
        ("refused", "not_a_dataset", ["taxonomy", "CSETv1 classification of 214"]),
    ),
    "incidents/aiid_snapshot_2025-03/duplicates.csv": (
        {},
        ("refused", "not_a_dataset", ["duplicates list (12"]),
    ),
    # read_excel(sheet_name='Repository', header=[1, 2]).dropna(subset=['AIAAIC ID#']) has 1791 rows
    "incidents/aiaaic/AIAAIC Repository.xlsx": ({}, ("loaded", "external_incidents", 1791)),
    "incidents/oecd_aim/incidents-2.xlsx": ({}, ("loaded", "external_incidents", 100)),  # len(read_excel)
}

# Documentation beside the data: refused like any file that is not a dataset.
NOT_DATA = {"README.md", "license.txt", ".py"}


def _data_files() -> list[str]:
    return sorted(
        str(p.relative_to(REALDATA))
        for p in REALDATA.rglob("*")
        if p.is_file() and p.name not in NOT_DATA and p.suffix not in NOT_DATA
    )


def test_the_real_exports_folder_is_there():
    assert REALDATA.is_dir(), f"the real-exports folder is missing: {REALDATA}"


def test_every_real_file_has_an_expectation():
    assert _data_files() == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_real_file_loads_with_the_expected_count_or_is_refused_with_what_it_is(store, name):
    options, expected = EXPECTED[name]
    result = load_file(store, REALDATA / name, LoadOptions(**options), user="test")
    problems = [m for m in result.messages if m.severity == "problem"]
    if expected[0] == "loaded":
        _, dataset, rows = expected
        assert result.outcome == "loaded", [m.describe() for m in problems]
        assert [(i.dataset, i.rows) for i in result.imports] == [(dataset, rows)]
        assert result.plan.source_format != "table"
        assert store.execute("select count(*) from query_table($t)", {"t": dataset}).fetchone()[0] == rows
    else:
        _, code, phrases = expected
        assert result.outcome == "refused"
        (message,) = problems
        assert message.code == code
        for phrase in phrases:
            assert phrase in message.text


@pytest.mark.parametrize(
    "name",
    [
        f"{MON}/evidently_0.7_snapshot_simple.json",
        f"{MON}/evidently_0.4_report_as_dict.json",
        f"{MON}/nannyml_univariate_drift.csv",
        f"{MON}/mlflow_metric_history.csv",
        f"{MON}/whylogs_profile_summary.csv",
    ],
)
def test_monitoring_export_without_a_system_asks_for_it(store, name):
    result = load_file(store, REALDATA / name, LoadOptions(), user="test")
    (message,) = result.problems
    assert message.code == "missing_context"
    assert "--system" in message.text


def test_non_data_files_are_refused_too(store):
    others = [p for p in REALDATA.rglob("*") if p.is_file() and (p.name in NOT_DATA or p.suffix in NOT_DATA)]
    assert others
    for path in others:
        result = load_file(store, path, LoadOptions(), user="test")
        assert result.outcome == "refused", path.name
        assert result.problems[0].text


def _rows(store, sql: str, **params) -> list[dict]:
    cur = store.execute(sql, params)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def _load(store, name: str, **options):
    result = load_file(store, REALDATA / name, LoadOptions(**options), user="test")
    assert result.outcome == "loaded", [m.describe() for m in result.problems]
    return result


def test_evidently_snapshot_values_thresholds_and_verdicts(store):
    _load(
        store,
        f"{MON}/evidently_0.7_snapshot_simple.json",
        system="Credit scoring",
        as_of=dt.date(2025, 1, 15),
    )
    (radius,) = _rows(
        store, "select * from monitoring where metric = 'ValueDrift' and feature = 'mean radius'"
    )
    # metrics[1]: value 5.796964516692806e-34, config.method 'K-S p_value' (a p-value), threshold 0.05
    assert radius["value"] == 5.796964516692806e-34
    assert (radius["lower_threshold"], radius["upper_threshold"]) == (0.05, None)
    assert (radius["verdict"], radius["verdict_raw"]) == ("fail", "FAIL")
    assert radius["test_name"] == "Value Drift for column mean radius"
    assert radius["observed_at"] == dt.datetime(2025, 1, 15) and radius["ai_system"] == "Credit scoring"
    (share,) = _rows(store, "select * from monitoring where metric = 'DriftedColumnsCount.share'")
    assert (share["value"], share["upper_threshold"], share["verdict"]) == (
        0.8,
        0.5,
        "fail",
    )  # tests[0]: lt 0.5
    (accuracy,) = _rows(store, "select * from monitoring where metric = 'Accuracy'")
    # tests[11]: 'Accuracy metric: Equal 0.921 ± 0.184' -> 0.737 .. 1.105, SUCCESS
    assert accuracy["value"] == 0.92 and accuracy["verdict"] == "pass"
    assert accuracy["lower_threshold"] == pytest.approx(0.737) and accuracy[
        "upper_threshold"
    ] == pytest.approx(1.105)
    labels = _rows(store, "select feature, value from monitoring where metric = 'F1ByLabel' order by feature")
    assert labels == [
        {"feature": "label=0", "value": 0.9405940594059405},
        {"feature": "label=1", "value": 0.8775510204081632},
    ]
    # our breaches equal the tool's 12 FAIL tests: sum(t['status'] == 'FAIL' for t in d['tests']) == 12
    breaches = store.execute(
        "select count(*) from monitoring where value < lower_threshold or value > upper_threshold"
    ).fetchone()[0]
    assert (
        breaches
        == 12
        == store.execute("select count(*) from monitoring where verdict = 'fail'").fetchone()[0]
    )


def test_evidently_workspace_snapshot_takes_its_context_from_the_file(store):
    result = _load(store, f"{MON}/evidently_0.7_snapshot_dumps.json")
    context = result.plan.sheets[0].context
    assert context["AI system"] == "breast_cancer_logreg (metadata.model in the file)"
    assert context["model version"] == "1 (metadata.model_version in the file)"
    (point,) = _rows(store, "select * from monitoring where metric = 'Accuracy'")
    assert (point["observed_at"], point["model_version"], point["value"]) == (
        dt.datetime(2025, 1, 15, 12),
        "1",
        0.92,
    )


def test_evidently_legacy_report_values(store):
    _load(store, f"{MON}/evidently_0.4_report_as_dict.json", system="Credit scoring")
    (target,) = _rows(
        store, "select * from monitoring where metric = 'DataDriftTable.drift_score' and feature = 'target'"
    )
    # drift_by_columns.target: Z-test p_value, threshold 0.05, drift_score 0.0, drift_detected true
    assert (target["value"], target["lower_threshold"], target["verdict"]) == (0.0, 0.05, "fail")
    reference = _rows(
        store,
        "select value from monitoring where metric = 'ClassificationQualityMetric.accuracy' order by feature nulls first",
    )
    assert [r["value"] for r in reference] == [0.92, 0.9214659685863874]  # current, then reference
    assert _rows(store, "select distinct observed_at from monitoring") == [
        {"observed_at": dt.datetime(2025, 1, 15, 12)}
    ]


def test_nannyml_analysis_chunks_with_their_thresholds(store):
    _load(store, f"{MON}/nannyml_realized_performance.csv", system="Credit scoring")
    first = _rows(store, "select * from monitoring where metric = 'roc_auc' order by observed_at limit 1")[0]
    # the first analysis row: end_date 2018-01-02 00:45:44, value 0.9709624381107628, bounds 0.9633 / 0.9787
    assert first["observed_at"] == dt.datetime(2018, 1, 2, 0, 45, 44)
    assert first["value"] == 0.9709624381107628
    assert (first["lower_threshold"], first["upper_threshold"]) == (0.963316535948479, 0.9786597341713761)
    assert (first["verdict"], first["test_name"]) == ("pass", "realized performance alert")


def test_nannyml_chi2_alert_without_threshold_is_a_visible_disagreement(store):
    result = _load(store, f"{MON}/nannyml_univariate_drift.csv", system="Credit scoring")
    (chi2,) = _rows(
        store,
        "select * from monitoring where metric = 'chi2' and feature = 'salary_range' and observed_at = $t",
        t=dt.datetime(2021, 1, 1, 4, 29, 32),
    )
    assert chi2["value"] == 474.89177543855965 and chi2["verdict"] == "fail"  # alert True, thresholds empty
    assert chi2["lower_threshold"] is None and chi2["upper_threshold"] is None
    assert "disagreements: 10" in result.plan.sheets[0].summary[0]
    assert "10 reference chunks skipped" in result.plan.sheets[0].context["chunks"]


def test_mlflow_runs_history_and_chart(store):
    _load(store, f"{MON}/mlflow_search_runs.csv")
    (run,) = _rows(store, "select * from monitoring where metric = 'accuracy' and model_version = '2'")
    # run 7f1e…: metrics.accuracy 0.9625, params.threshold_accuracy 0.9, end_time 19:04:56.156 UTC
    assert (run["value"], run["lower_threshold"], run["ai_system"]) == (0.9625, 0.9, "breast_cancer_logreg")
    assert run["observed_at"] == dt.datetime(2026, 11, 27, 19, 4, 56, 156000)
    _load(store, f"{MON}/mlflow_metric_history.csv", system="Credit scoring")
    first = _rows(
        store,
        "select * from monitoring where ai_system = 'Credit scoring' and metric = 'accuracy' order by observed_at, feature limit 1",
    )[0]
    # row 2: accuracy 0.9625 at 1735689600000 ms = 2025-01-01 00:00 UTC, run 7f1e9dc72ea54bd4a0061f29f0c3310b
    assert (first["value"], first["observed_at"]) == (0.9625, dt.datetime(2025, 1, 1))
    assert first["feature"] == "run=7f1e9dc72ea54bd4a0061f29f0c3310b"


def test_whylogs_profile(store):
    _load(store, f"{MON}/whylogs_profile_summary.csv", system="Credit scoring", as_of=dt.date(2025, 1, 15))
    (n,) = _rows(store, "select value from monitoring where metric = 'counts/n' and feature = 'mean area'")
    assert n["value"] == 569  # 569 rows profiled (the breast-cancer frame)


def test_ciso_findings_template_statuses(store):
    _load(store, "controls/ciso_assistant/findings_assessment_template.xlsx")
    rows = _rows(store, "select finding_id, status, status_raw, source from findings order by row_no")
    assert rows == [
        {"finding_id": "tls.001", "status": "closed", "status_raw": "Closed", "source": "other"},
        {"finding_id": "iam.005", "status": "in_progress", "status_raw": "In progress", "source": "other"},
        {"finding_id": "F.07", "status": "closed", "status_raw": "Closed", "source": "other"},
    ]


def test_aiid_incidents_with_classifications_beside_them(store):
    _load(store, "incidents/aiid_snapshot_2025-03/incidents.csv")
    (bus,) = _rows(store, "select * from external_incidents where external_id = '23'")
    assert bus["title"] == "Las Vegas Self-Driving Bus Involved in Accident"
    assert bus["incident_date"] == dt.date(2017, 11, 8)
    assert bus["deployer"] == "navya; keolis-north-america"  # '["navya","keolis-north-america"]'
    assert (
        bus["category"] == "7.3. Lack of capability or robustness"
    )  # classifications_MIT.csv, Incident ID 23
    assert bus["match_category"] == "incorrect_output"
    assert bus["url"] == "https://incidentdatabase.ai/cite/23"
    assert store.execute("select count(*) from external_incidents where external_id = '637'").fetchone() == (
        0,
    )
    # m['Incident ID'].isin(i.incident_id[i.incident_id != '637']).sum() == 868 (637 is classified too)
    assert store.execute("select count(*) from external_incidents where category is not null").fetchone() == (
        868,
    )


def test_aiaaic_years_ranges_and_lists(store):
    _load(store, "incidents/aiaaic/AIAAIC Repository.xlsx")
    (jailed,) = _rows(store, "select * from external_incidents where external_id = 'AIAAIC1803'")
    # Occurred 2022.0, Issue(s) 'Ethics/values; Safety', Country(ies) 'Singapore'
    assert (jailed["date_text"], jailed["year_start"], jailed["year_end"]) == ("2022", 2022, 2022)
    assert jailed["category"] == "Ethics/values; Safety" and jailed["match_category"] == "safety"
    assert jailed["country"] == "Singapore"
    (open_range,) = _rows(store, "select * from external_incidents where external_id = 'AIAAIC1450'")
    assert (open_range["date_text"], open_range["year_start"], open_range["year_end"]) == (
        "2018-",
        2018,
        None,
    )


def test_oecd_dates_are_iso_text(store):
    _load(store, "incidents/oecd_aim/incidents-2.xlsx")
    (first,) = _rows(store, "select * from external_incidents where external_id = '2025-07-27-c835'")
    assert first["incident_date"] == dt.date(2025, 7, 27)
    assert first["title"] == "Google's AI Earthquake Alert System Fails During 2023 Turkey Disaster"
