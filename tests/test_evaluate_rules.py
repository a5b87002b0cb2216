"""The Alerts v2 rules of `alert-sync evaluate`, as unit tests: no dbt, no database.

Each test states a rule of docs/evaluate.md "How evaluate decides a state" (numbered as there) or of
"Backtests", and checks semantics.py / backtest.py against it. The same rules run end to end as
real DuckDB queries in test_evaluate.py.
"""

from __future__ import annotations

import math
import statistics
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from databricks.sdk.service.sql import Aggregation, ComparisonOperator

from alert_sync.catalog import CatalogRow
from alert_sync.desired import build_evaluation
from alert_sync.errors import ConfigError
from alert_sync.evaluate.backtest import MAX_MOMENTS, backtest_moments, parse_moment, parse_step
from alert_sync.evaluate.semantics import aggregate, compare, evaluate_rows

pytestmark = pytest.mark.unit  # no dbt, no emulator: `make test-fast`

OK, TRIGGERED, ERROR = "OK", "TRIGGERED", "ERROR"
COMPARISONS = [">", ">=", "<", "<=", "=", "!="]


def spec(column: str = "x", op: str = ">", value_type: str = "DOUBLE", value: str = "5", agg: str = "",
         empty: str = "OK"):
    """The AlertV2Evaluation the sync deploys for a catalog row with these fields."""
    if op.startswith("IS_"):
        value_type, value = "", ""
    return build_evaluation(CatalogRow({
        "alert_id": "T-1", "threshold_column": column, "threshold_operator": op, "threshold_value_type": value_type,
        "threshold_value": value, "aggregation_type": agg, "empty_result_state": empty}, line=2))


def state(columns, rows, **row) -> str:
    return evaluate_rows(columns, rows, spec(**row)).state


def column(values) -> list[tuple]:
    return [(v,) for v in values]


# --------------------------------------------------------------------------------------------
# Moved from test_evaluate.py (pure already)
# --------------------------------------------------------------------------------------------

def test_aggregation_details():
    assert aggregate([1, 2, 3, 4], Aggregation.MEDIAN, "x") == 2.5  # percentile_cont: mean of the middle two
    assert aggregate([1, 2, 3, 4], Aggregation.STDDEV, "x") == pytest.approx(statistics.stdev([1, 2, 3, 4]))
    assert aggregate([3], Aggregation.STDDEV, "x") is None  # sample stddev of one value is NULL
    assert aggregate([None, None], Aggregation.COUNT, "x") == 0  # COUNT counts non-NULL values
    assert aggregate([None, None], Aggregation.SUM, "x") is None
    assert aggregate(["b", "a", None], Aggregation.MAX, "x") == "b"
    assert aggregate([Decimal("1.10"), Decimal("2.20")], Aggregation.SUM, "x") == Decimal("3.30")
    assert aggregate(["1.5", "2"], Aggregation.SUM, "x") == 3.5  # numeric strings are cast to DOUBLE


def test_evaluate_rows_needs_no_database():
    evaluation = spec(op=">=", value="3", agg="AVG")
    assert evaluate_rows(["x"], [(2,), (4,)], evaluation)[:3] == ("TRIGGERED", 3.0, 3.0)
    assert evaluate_rows(["x"], [], evaluation).state == "OK"


def test_backtest_moments():
    assert backtest_moments(None, None, None, "1d") is None
    assert backtest_moments("2026-10-13 06:00", None, None, "1d") == ["2026-10-13 06:00:00"]
    assert backtest_moments(None, "2026-10-01", "2026-10-03", "1d") == [
        "2026-10-01 00:00:00", "2026-10-02 00:00:00", "2026-10-03 00:00:00"]
    assert backtest_moments(None, "2026-10-01 06:00", "2026-10-01 18:00", "6h")[-1] == "2026-10-01 18:00:00"
    assert len(backtest_moments(None, "2026-10-01", "2026-10-08", "1w")) == 2


# --------------------------------------------------------------------------------------------
# 2. Empty result: the alert's empty_result_state, no value, whatever the aggregation
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("empty", [OK, TRIGGERED, ERROR])
@pytest.mark.parametrize("agg", ["", "COUNT", "COUNT_DISTINCT", "SUM", "AVG", "MAX", "STDDEV"])
@pytest.mark.parametrize("op", ["<", "IS_NULL", "IS_NOT_NULL"])
def test_an_empty_result_takes_empty_result_state(empty, agg, op):
    verdict = evaluate_rows(["x"], [], spec(op=op, value="1", agg=agg, empty=empty))
    assert (verdict.state, verdict.value) == (empty, None)
    assert (verdict.error is not None) == (empty == ERROR)


def test_count_below_one_does_not_fire_on_no_rows_unless_empty_result_state_says_so():
    # A wrapping `SELECT COUNT(x)` would return 0 over no rows, but the catalog's
    # empty_result_state decides: alert on "no rows" with empty_result_state TRIGGERED.
    assert state(["x"], [], op="<", value="1", agg="COUNT", empty="OK") == OK
    assert state(["x"], [], op="<", value="1", agg="COUNT", empty="TRIGGERED") == TRIGGERED


# --------------------------------------------------------------------------------------------
# 3. Without an aggregation (empty, NONE or FIRST) the value is the first row's
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("agg", ["", "NONE", "FIRST", "first"])
def test_without_an_aggregation_the_value_is_the_first_rows(agg):
    assert spec(agg=agg).source.aggregation is None  # the API has no FIRST: no aggregation
    fired = evaluate_rows(["x"], column([9, 3, 1]), spec(op=">", value="8", agg=agg))
    assert (fired.state, fired.value) == (TRIGGERED, 9)
    quiet = evaluate_rows(["x"], column([1, 9, 3]), spec(op=">", value="8", agg=agg))
    assert (quiet.state, quiet.value) == (OK, 1)  # a later row above the threshold does not count


def test_the_first_row_is_taken_even_when_its_value_is_null():
    rows = column([None, 9])
    assert evaluate_rows(["x"], rows, spec(op=">", value="8")).value is None
    assert state(["x"], rows, op=">", value="8") == OK
    assert state(["x"], rows, op="IS_NULL") == TRIGGERED


# --------------------------------------------------------------------------------------------
# 4. Aggregations: the Databricks SQL aggregates over all rows, NULLs ignored
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("agg,expected", [
    (Aggregation.SUM, 6), (Aggregation.COUNT, 4), (Aggregation.COUNT_DISTINCT, 2), (Aggregation.AVG, 1.5),
    (Aggregation.MIN, 1), (Aggregation.MAX, 3), (Aggregation.MEDIAN, 1.0), (Aggregation.STDDEV, 1.0),
])
def test_nulls_are_ignored_by_every_aggregation(agg, expected):
    # the non-NULL values are 1, 1, 1, 3: mean 1.5, sample variance (3 * 0.25 + 2.25) / 3 = 1
    assert aggregate([None, 1, None, 1, 3, 1, None], agg, "x") == pytest.approx(expected)


@pytest.mark.parametrize("agg,expected", [
    (Aggregation.SUM, None), (Aggregation.AVG, None), (Aggregation.MIN, None), (Aggregation.MAX, None),
    (Aggregation.MEDIAN, None), (Aggregation.STDDEV, None), (Aggregation.COUNT, 0), (Aggregation.COUNT_DISTINCT, 0),
])
def test_over_only_nulls_count_is_zero_and_the_others_null(agg, expected):
    got = aggregate([None, None, None], agg, "x")
    assert got is None if expected is None else got == expected and got is not None


def test_count_counts_non_null_values_of_any_type_and_count_distinct_the_distinct_ones():
    assert aggregate(["a", None, "b", "a"], Aggregation.COUNT, "x") == 3
    assert aggregate(["a", None, "b", "a"], Aggregation.COUNT_DISTINCT, "x") == 2
    assert aggregate(["a", "A"], Aggregation.COUNT_DISTINCT, "x") == 2  # distinct is case-sensitive


def test_median_is_percentile_cont_so_an_even_count_gives_the_mean_of_the_middle_two():
    assert aggregate([10, 1, 4, 2], Aggregation.MEDIAN, "x") == 3.0  # (2 + 4) / 2
    assert aggregate([5, None, 1, 3], Aggregation.MEDIAN, "x") == 3.0  # odd count of non-NULL values
    assert aggregate([1, 2], Aggregation.MEDIAN, "x") == 1.5


def test_stddev_is_the_sample_standard_deviation_and_null_for_a_single_value():
    values = [2, 4, 4, 4, 5, 5, 7, 9]  # population stddev 2; sample stddev sqrt(32 / 7)
    assert aggregate(values, Aggregation.STDDEV, "x") == pytest.approx(math.sqrt(32 / 7), rel=1e-12)
    assert aggregate([7], Aggregation.STDDEV, "x") is None
    assert aggregate([None, 7, None], Aggregation.STDDEV, "x") is None  # one non-NULL value
    assert state(["x"], column([7]), op="IS_NULL", agg="STDDEV") == TRIGGERED


@pytest.mark.parametrize("agg", [Aggregation.AVG, Aggregation.MEDIAN, Aggregation.STDDEV])
@pytest.mark.parametrize("values", [[1, 2, 3], [Decimal("1.5"), Decimal("2.5"), Decimal("4.5")]], ids=["int", "decimal"])
def test_avg_median_stddev_are_double(agg, values):
    assert type(aggregate(values, agg, "x")) is float


@pytest.mark.parametrize("agg,values,expected", [
    (Aggregation.SUM, ["1", "2"], 3.0), (Aggregation.SUM, [" 1.5 ", 2], 3.5), (Aggregation.AVG, ["1", "2"], 1.5),
    (Aggregation.MEDIAN, ["10", "2", "3"], 3.0),  # numerically: string order would put "2" in the middle
    (Aggregation.STDDEV, ["1", "3"], math.sqrt(2)),
])
def test_numeric_strings_are_read_as_double(agg, values, expected):
    got = aggregate(values, agg, "x")
    assert type(got) is float and got == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("agg", ["SUM", "AVG", "MEDIAN", "STDDEV"])
@pytest.mark.parametrize("bad", ["abc", True, date(2026, 10, 1)], ids=["string", "boolean", "date"])
def test_a_non_numeric_value_under_a_numeric_aggregation_is_error(agg, bad):
    verdict = evaluate_rows(["x"], column([1, bad]), spec(op=">", value="0", agg=agg))
    assert verdict.state == ERROR and verdict.error


def test_min_and_max_work_on_any_ordered_type():
    assert aggregate(["B", "a", "Z"], Aggregation.MAX, "x") == "a"  # binary order: 'B' < 'Z' < 'a'
    assert aggregate(["B", "a", "Z"], Aggregation.MIN, "x") == "B"
    assert aggregate(["9", "10"], Aggregation.MAX, "x") == "9"  # strings stay strings: '10' < '9'
    assert aggregate([date(2026, 10, 2), None, date(2026, 9, 30)], Aggregation.MIN, "x") == date(2026, 9, 30)
    assert aggregate([datetime(2026, 10, 1, 6), datetime(2026, 10, 1, 18)], Aggregation.MAX, "x") == \
        datetime(2026, 10, 1, 18)
    assert aggregate([2, 7.5, Decimal("3")], Aggregation.MAX, "x") == 7.5


# --------------------------------------------------------------------------------------------
# 5. Columns: matched case-insensitively; missing or ambiguous is ERROR
# --------------------------------------------------------------------------------------------

def test_column_names_are_matched_case_insensitively():
    verdict = evaluate_rows(["Daily_Cost"], [(6012.5,)], spec(column="daily_cost", value="5000"))
    assert (verdict.state, verdict.value) == (TRIGGERED, 6012.5)
    verdict = evaluate_rows(["x", "LIMIT_X"], [(3, 2)], spec(op=">", value_type="COLUMN", value="limit_x"))
    assert (verdict.state, verdict.value, verdict.threshold) == (TRIGGERED, 3, 2)


def test_a_missing_column_is_error():
    verdict = evaluate_rows(["y"], [(1,)], spec(column="x"))
    assert verdict.state == ERROR and "'x'" in verdict.error
    verdict = evaluate_rows(["x"], [(1,)], spec(op="<", value_type="COLUMN", value="limit_x"))
    assert verdict.state == ERROR and "'limit_x'" in verdict.error


def test_an_ambiguous_column_is_error():
    assert state(["x", "X"], [(1, 9)], value="0") == ERROR
    assert state(["x", "x"], [(1, 9)], value="0") == ERROR
    assert state(["x", "limit", "LIMIT"], [(1, 2, 3)], op="<", value_type="COLUMN", value="limit") == ERROR


def test_columns_the_alert_does_not_read_may_share_a_name():
    assert state(["x", "y", "Y"], [(9, 1, 2)], op=">", value="8") == TRIGGERED


# --------------------------------------------------------------------------------------------
# 6. The threshold: DOUBLE, STRING as written, BOOLEAN, or COLUMN with the source's aggregation
# --------------------------------------------------------------------------------------------

def test_static_thresholds_are_typed_by_threshold_value_type():
    for value_type, text, expected in [("DOUBLE", "5", 5.0), ("DOUBLE", "-1e3", -1000.0), ("STRING", " b ", " b "),
                                       ("STRING", "5", "5"), ("BOOLEAN", "true", True), ("BOOLEAN", "false", False)]:
        verdict = evaluate_rows(["x"], [(None,)], spec(op="=", value_type=value_type, value=text))
        assert verdict.threshold == expected and type(verdict.threshold) is type(expected), (value_type, text)


def test_a_string_threshold_is_compared_as_written():
    assert state(["x"], [(" b ",)], op="=", value_type="STRING", value=" b ") == TRIGGERED
    assert state(["x"], [("b",)], op="=", value_type="STRING", value=" b ") == OK


@pytest.mark.parametrize("agg,value,threshold", [
    ("", 5, 1),             # no aggregation: the first row of each column
    ("SUM", 6, 10),         # SUM(x) vs SUM(limit_x)
    ("MAX", 5, 9),
    ("MIN", 0, 1),          # MIN(limit_x) ignores its NULL
    ("COUNT", 3, 2),        # COUNT(limit_x) counts its non-NULL values
    ("AVG", 2.0, 5.0),
    ("MEDIAN", 1.0, 5.0),
])
def test_a_column_threshold_uses_the_sources_aggregation(agg, value, threshold):
    evaluation = spec(op=">", value_type="COLUMN", value="limit_x", agg=agg)
    assert evaluation.threshold.column.aggregation == evaluation.source.aggregation  # as the sync deploys it
    verdict = evaluate_rows(["x", "limit_x"], [(5, 1), (1, 9), (0, None)], evaluation)
    assert (verdict.value, verdict.threshold) == (value, threshold)
    assert verdict.state == (TRIGGERED if value > threshold else OK)


# --------------------------------------------------------------------------------------------
# 7. Comparison: the two values in their least common type
# --------------------------------------------------------------------------------------------

GT, EQ, LT = ComparisonOperator.GREATER_THAN, ComparisonOperator.EQUAL, ComparisonOperator.LESS_THAN


def test_integers_and_decimals_compare_exactly():
    assert compare(GT, 2**53 + 1, 2**53)  # not equal, though equal as DOUBLE
    assert compare(EQ, Decimal("0.1") + Decimal("0.2"), Decimal("0.3"))
    assert compare(GT, Decimal("1.0000000000000000001"), 1)
    rows = [(2**53 + 1, 2**53)]
    assert state(["x", "limit_x"], rows, op=">", value_type="COLUMN", value="limit_x") == TRIGGERED


def test_numbers_compare_as_double_when_either_is_floating():
    assert compare(EQ, 2**53 + 1, float(2**53))
    assert compare(EQ, Decimal("0.1"), 0.1)
    assert state(["x"], [(Decimal("5.50"),)], op=">", value="5.4") == TRIGGERED  # DOUBLE threshold


def test_strings_compare_in_binary_order_case_sensitively():
    assert compare(LT, "B", "b") and compare(LT, "10", "9") and compare(LT, "Z", "a")
    assert not compare(EQ, "abc", "ABC")
    assert state(["x"], [("10",)], op="<", value_type="STRING", value="9") == TRIGGERED


@pytest.mark.parametrize("value,op,threshold_type,threshold,expected", [
    ("12.5", ">", "DOUBLE", "9", TRIGGERED),     # the string value is cast to DOUBLE
    (" 12.5 ", ">", "DOUBLE", "9", TRIGGERED),
    ("1e2", "=", "DOUBLE", "100", TRIGGERED),
    (10, ">", "STRING", "9", TRIGGERED),         # a number against a STRING threshold: 10 > 9, not '10' < '9'
    (7, "=", "STRING", "007", TRIGGERED),
    (Decimal("2.5"), "<", "STRING", "10", TRIGGERED),
])
def test_a_string_against_a_number_is_cast_to_double(value, op, threshold_type, threshold, expected):
    assert state(["x"], [(value,)], op=op, value_type=threshold_type, value=threshold) == expected


@pytest.mark.parametrize("text,expected", [
    ("true", True), ("t", True), ("yes", True), ("y", True), ("1", True),
    ("false", False), ("f", False), ("no", False), ("n", False), ("0", False),
])
def test_a_string_against_a_boolean_is_cast_to_boolean(text, expected):
    assert compare(EQ, text, expected) and compare(EQ, expected, text)
    assert state(["x"], [(text,)], op="=", value_type="BOOLEAN", value=str(expected).lower()) == TRIGGERED
    assert state(["x"], [(expected,)], op="=", value_type="STRING", value=text) == TRIGGERED


def test_a_string_against_a_date_or_timestamp_is_cast_to_that_type():
    assert compare(GT, "2026-10-02", date(2026, 10, 1))
    assert compare(EQ, date(2026, 10, 1), "2026-10-01")
    assert compare(EQ, datetime(2026, 10, 1, 6), "2026-10-01 06:00:00")
    assert compare(LT, "2026-10-01 05:59:59", datetime(2026, 10, 1, 6))
    assert state(["x"], [(date(2026, 10, 2),)], op=">", value_type="STRING", value="2026-10-01") == TRIGGERED


def test_dates_compare_with_timestamps_as_midnight():
    assert compare(EQ, date(2026, 10, 1), datetime(2026, 10, 1))
    assert compare(LT, date(2026, 10, 1), datetime(2026, 10, 1, 0, 1))
    assert compare(GT, datetime(2026, 10, 1, 0, 1), date(2026, 10, 1))


def test_booleans_order_false_before_true():
    assert compare(LT, False, True) and not compare(LT, True, False)
    assert state(["x"], [(False,)], op="<", value_type="BOOLEAN", value="true") == TRIGGERED


@pytest.mark.parametrize("value,threshold_type,threshold", [
    ("abc", "DOUBLE", "1"), ("", "DOUBLE", "1"), ("1,5", "DOUBLE", "1"), ("maybe", "BOOLEAN", "true"),
    (date(2026, 10, 1), "STRING", "not a date"), (datetime(2026, 10, 1, 6), "STRING", "2026-10-01 6 am"),
    (True, "STRING", "maybe"), (12, "STRING", "twelve"),
])
def test_a_string_that_does_not_cast_is_error(value, threshold_type, threshold):
    verdict = evaluate_rows(["x"], [(value,)], spec(op=">", value_type=threshold_type, value=threshold))
    assert verdict.state == ERROR and "cannot be cast" in verdict.error, verdict


@pytest.mark.parametrize("value,threshold_type,threshold", [
    (True, "DOUBLE", "1"), (1, "BOOLEAN", "true"), (date(2026, 10, 1), "DOUBLE", "1"),
    (datetime(2026, 10, 1, 6), "DOUBLE", "1"), (date(2026, 10, 1), "BOOLEAN", "false"),
])
def test_values_with_no_common_type_are_error(value, threshold_type, threshold):
    for op in COMPARISONS:
        verdict = evaluate_rows(["x"], [(value,)], spec(op=op, value_type=threshold_type, value=threshold))
        assert verdict.state == ERROR and verdict.error, (op, verdict)


# --------------------------------------------------------------------------------------------
# 8. NULL: unknown for the six operators (OK); IS_NULL / IS_NOT_NULL test the aggregated value
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("op", COMPARISONS)
def test_a_null_value_or_threshold_is_ok_for_every_comparison(op):
    for threshold_type, threshold in [("DOUBLE", "1"), ("STRING", "a"), ("BOOLEAN", "true")]:
        verdict = evaluate_rows(["x"], [(None,)], spec(op=op, value_type=threshold_type, value=threshold))
        assert (verdict.state, verdict.error) == (OK, None), (op, threshold_type)
    verdict = evaluate_rows(["x", "limit_x"], [(5, None)], spec(op=op, value_type="COLUMN", value="limit_x"))
    assert (verdict.state, verdict.threshold, verdict.error) == (OK, None, None)
    verdict = evaluate_rows(["x", "limit_x"], [(None, None)], spec(op=op, value_type="COLUMN", value="limit_x"))
    assert (verdict.state, verdict.error) == (OK, None)


@pytest.mark.parametrize("agg,values,is_null", [
    ("MAX", [None, None], True), ("SUM", [None, None], True), ("AVG", [None], True),
    ("COUNT", [None, None], False),            # COUNT over only NULLs is 0, not NULL
    ("COUNT_DISTINCT", [None], False),
    ("STDDEV", [4], True),                     # one value: NULL
    ("MIN", [None, 3], False), ("", [None, 3], True), ("", [3, None], False),
])
def test_is_null_and_is_not_null_test_the_aggregated_value(agg, values, is_null):
    rows = column(values)
    assert state(["x"], rows, op="IS_NULL", agg=agg) == (TRIGGERED if is_null else OK)
    assert state(["x"], rows, op="IS_NOT_NULL", agg=agg) == (OK if is_null else TRIGGERED)


def test_compare_is_sql_unknown_with_a_null_operand():
    for op in (GT, EQ, LT, ComparisonOperator.NOT_EQUAL):
        assert compare(op, None, 1) is False and compare(op, 1, None) is False and compare(op, None, None) is False
    assert compare(ComparisonOperator.IS_NULL, None, None) and not compare(ComparisonOperator.IS_NOT_NULL, None, None)


# --------------------------------------------------------------------------------------------
# Backtests: moments, --step, at most 1000 moments
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text,expected", [
    ("2026-10-13", datetime(2026, 10, 13)),                 # a date is midnight
    ("2026-10-13 06:00", datetime(2026, 10, 13, 6)),
    ("2026-10-13 06:00:30", datetime(2026, 10, 13, 6, 0, 30)),
])
def test_moments_are_a_date_or_a_timestamp(text, expected):
    assert parse_moment(text, "--as-of") == expected
    assert backtest_moments(text, None, None, "1d") == [expected.strftime("%Y-%m-%d %H:%M:%S")]


@pytest.mark.parametrize("text", ["yesterday", "2026-13-01", "13/10/2026", "2026-10-13 25:00", ""])
def test_a_moment_that_is_not_a_date_or_timestamp_is_a_config_error(text):
    with pytest.raises(ConfigError, match="--as-of"):
        parse_moment(text, "--as-of")


@pytest.mark.parametrize("text,expected", [
    ("30m", timedelta(minutes=30)), ("6h", timedelta(hours=6)), ("1d", timedelta(days=1)),
    ("2d", timedelta(days=2)), ("1w", timedelta(weeks=1)), ("90m", timedelta(hours=1, minutes=30)),
])
def test_step_is_a_positive_number_of_minutes_hours_days_or_weeks(text, expected):
    assert parse_step(text) == expected


@pytest.mark.parametrize("text", ["0d", "-1d", "1.5h", "1y", "1s", "d", "1", "", "one day"])
def test_any_other_step_is_a_config_error(text):
    with pytest.raises(ConfigError, match="--step"):
        parse_step(text)


def test_a_range_is_every_step_from_from_up_to_to_inclusive():
    assert backtest_moments(None, "2026-10-01 06:00", "2026-10-01 18:00", "6h") == [
        "2026-10-01 06:00:00", "2026-10-01 12:00:00", "2026-10-01 18:00:00"]
    assert backtest_moments(None, "2026-10-01", "2026-10-07", "1w") == ["2026-10-01 00:00:00"]  # never past --to
    assert backtest_moments(None, "2026-10-01", "2026-10-01", "1d") == ["2026-10-01 00:00:00"]


def test_at_most_1000_moments_per_run():
    assert MAX_MOMENTS == 1000
    start = datetime(2026, 1, 1)
    last_ok = (start + timedelta(minutes=999)).strftime("%Y-%m-%d %H:%M")
    moments = backtest_moments(None, "2026-01-01", last_ok, "1m")
    assert len(moments) == 1000 and moments[-1] == f"{last_ok}:00"
    one_more = (start + timedelta(minutes=1000)).strftime("%Y-%m-%d %H:%M")
    with pytest.raises(ConfigError, match="1001 evaluations"):
        backtest_moments(None, "2026-01-01", one_more, "1m")
    assert len(backtest_moments(None, "2026-01-01", one_more, "2m")) == 501  # a larger step fits


@pytest.mark.parametrize("as_of,start,end,step,needle", [
    ("2026-10-01", "2026-10-01", "2026-10-02", "1d", "one or the other"),
    (None, "2026-10-01", None, "1d", "both --from and --to"),
    (None, None, "2026-10-01", "1d", "both --from and --to"),
    (None, "2026-10-02", "2026-10-01", "1d", "before --from"),
    (None, "2026-10-01", "2026-10-02", "0d", "--step"),
])
def test_invalid_backtest_options_are_config_errors(as_of, start, end, step, needle):
    with pytest.raises(ConfigError, match=needle):
        backtest_moments(as_of, start, end, step)


# --------------------------------------------------------------------------------------------
# Backtest summary: fired and flapped (docs/evaluate.md "Backtests")
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("states, fired, flaps, flap_rate", [
    ([], 0, 0, None),
    ([TRIGGERED], 1, 0, None),  # the first moment counts when TRIGGERED; one evaluation has no rate
    ([OK, OK, OK], 0, 0, 0.0),
    ([TRIGGERED, TRIGGERED, OK, TRIGGERED], 2, 2, round(2 / 3, 4)),
    ([OK, TRIGGERED, OK, TRIGGERED, OK], 2, 4, 1.0),
    # ERROR is skipped: it neither fires nor breaks a streak, nor counts in the rate's denominator
    ([TRIGGERED, ERROR, TRIGGERED, OK], 1, 1, 0.5),
    ([OK, ERROR, TRIGGERED, ERROR, ERROR, OK], 1, 2, 1.0),
    ([ERROR, ERROR], 0, 0, None),
    ([ERROR, TRIGGERED], 1, 0, None),
])
def test_fired_counts_entries_into_triggered_and_flaps_count_ok_triggered_changes(states, fired, flaps, flap_rate):
    from alert_sync.evaluate.runner import firing

    assert firing(states) == {"fired": fired, "flaps": flaps, "flap_rate": flap_rate}


# --------------------------------------------------------------------------------------------
# Notification templates rendered with an evaluation's values (notification.py)
# --------------------------------------------------------------------------------------------

def notification_context(**kw):
    from alert_sync.evaluate.notification import NotificationContext

    base = dict(status=TRIGGERED, name="[WARNING] Daily Cost Spike", condition=">", threshold=5000.0,
                column="daily_cost", value=Decimal("5722.50"), columns=["day", "daily_cost"],
                rows=[(date(2026, 10, 31), Decimal("5722.50"))], row_count=1)
    return NotificationContext(**{**base, **kw})


def test_every_template_variable_is_rendered():
    from alert_sync.evaluate.notification import TEMPLATE_VARIABLES, UNKNOWN_URL, render

    ctx = notification_context()
    out = render("{{ALERT_NAME}} is {{ALERT_STATUS}}: {{ALERT_COLUMN}} = {{QUERY_RESULT_VALUE}} "
                 "{{ALERT_CONDITION}} {{ALERT_THRESHOLD}} at {{ALERT_URL}}; cols {{QUERY_RESULT_COLS}}", ctx)
    assert out.problems == []
    assert out.text == (f"[WARNING] Daily Cost Spike is TRIGGERED: daily_cost = 5722.5 > 5000 at {UNKNOWN_URL}; "
                        f"cols [day, daily_cost]")
    # Every listed variable renders to text, none is left as a placeholder.
    for name in TEMPLATE_VARIABLES:
        rendered = render("{{%s}}" % name, ctx)
        assert rendered.problems == [] and "{{" not in rendered.text, name
    # A deployed alert's URL is used as is.
    assert render("{{ALERT_URL}}", notification_context(url="https://host/x")).text == "https://host/x"


def test_result_table_and_rows_section_are_bounded():
    from alert_sync.evaluate.notification import MAX_ROWS, render

    rows = [(f"job-{i}", i) for i in range(MAX_ROWS)]
    ctx = notification_context(columns=["job_id", "failures"], rows=rows, row_count=MAX_ROWS + 5)
    table = render("{{QUERY_RESULT_TABLE}}", ctx).text.splitlines()
    assert table[0].split(" | ") == ["job_id", "failures"] and table[1].startswith("-")
    assert len(table) == 2 + MAX_ROWS and table[-1].endswith("(... 5 more rows)")
    assert table[2].split() == ["job-0", "|", "0"]
    section = render("{{#QUERY_RESULT_ROWS}}{{job_id}}={{FAILURES}};{{/QUERY_RESULT_ROWS}}!", ctx)
    assert section.problems == []
    assert section.text == "".join(f"job-{i}={i};" for i in range(MAX_ROWS)) + " (... 5 more rows)!"
    # A template variable inside the section is filled in too; nothing at all for no rows.
    assert render("{{#QUERY_RESULT_ROWS}}{{ALERT_STATUS}}{{/QUERY_RESULT_ROWS}}",
                  notification_context(rows=[], row_count=0)).text == ""
    assert render("{{#QUERY_RESULT_ROWS}}{{ALERT_STATUS}} {{day}}{{/QUERY_RESULT_ROWS}}",
                  notification_context()).text == "TRIGGERED 2026-10-31"


@pytest.mark.parametrize("template, problem", [
    ("{{ALERT_NAMES}} fired", "{{ALERT_NAMES}}"),
    ("{{alert_name}}", "{{alert_name}}"),
    ("{{#ALERT_STATUS}}x{{/ALERT_STATUS}}", "{{#ALERT_STATUS}}"),
    ("{{#QUERY_RESULT_ROWS}}{{no_such_column}}{{/QUERY_RESULT_ROWS}}", "{{no_such_column}}"),
    ("{{#QUERY_RESULT_ROWS}}{{day}}", "no closing"),
    ("cost {{QUERY_RESULT_VALUE}", "unbalanced braces"),
])
def test_unknown_or_malformed_placeholders_are_named_and_left_as_written(template, problem):
    from alert_sync.evaluate.notification import render

    out = render(template, notification_context())
    assert any(problem in p for p in out.problems), out.problems


# --------------------------------------------------------------------------------------------
# What evaluate prints: a verdict on the condition, not a claim (`x = 9 < 6.2: not met`)
# --------------------------------------------------------------------------------------------

def printed(columns, rows, **row) -> str:
    """The line `alert-sync evaluate` prints for this query result (evaluate_rows, then the output)."""
    from alert_sync.evaluate import evaluation_lines
    from alert_sync.evaluate.runner import Evaluation

    evaluation = spec(**row)
    verdict = evaluate_rows(columns, rows, evaluation)
    e = Evaluation("COST-001", verdict.state, verdict.value, verdict.threshold, row_count=len(rows),
                   error=verdict.error, duration_ms=7, spec=evaluation)
    return evaluation_lines([e])[0]


def test_evaluate_lines_say_whether_the_condition_is_met():
    assert printed(["x"], [(9,)], op="<", value="6.2") == "  OK         COST-001  x = 9 < 6.2: not met  (1 row, 7 ms)"
    assert printed(["x"], [(9,), (1,)], op=">", value="5", agg="SUM") == \
        "  TRIGGERED  COST-001  SUM(x) = 10 > 5: met  (2 rows, 7 ms)"
    assert printed(["x"], [], op=">", value="5") == "  OK         COST-001  no rows: empty_result_state OK  (0 rows, 7 ms)"
    assert printed(["x"], [], op=">", value="5", empty="TRIGGERED").startswith(
        "  TRIGGERED  COST-001  no rows: empty_result_state TRIGGERED")


def test_evaluate_lines_for_null_say_why_a_comparison_is_not_met():
    assert printed(["x"], [(None,)], op=">", value="5") == \
        "  OK         COST-001  x = NULL > 5: not met (a comparison with NULL is never met)  (1 row, 7 ms)"
    assert printed(["x"], [(None,)], op="IS_NULL") == "  TRIGGERED  COST-001  x = NULL IS NULL: met  (1 row, 7 ms)"
    assert printed(["x"], [(3,)], op="IS_NULL") == "  OK         COST-001  x = 3 IS NULL: not met  (1 row, 7 ms)"


def test_evaluate_lines_for_an_error_show_the_error_alone():
    line = printed(["y"], [(1,)], op=">", value="5")
    assert line.startswith("  ERROR      COST-001  ") and "x" in line and "met" not in line
    assert printed(["x"], [], op=">", value="5", empty="ERROR") == \
        "  ERROR      COST-001  the query returned no rows and empty_result_state is ERROR  (0 rows, 7 ms)"
