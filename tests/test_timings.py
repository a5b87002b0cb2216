"""ALERT_SYNC_TIMINGS (alert_sync/timings.py): which phase a request counts for, and the file."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import pytest

from alert_sync.timings import _Recorder

pytestmark = pytest.mark.unit


def test_requests_count_for_the_phase_of_their_thread_else_the_main_threads(tmp_path):
    rec = _Recorder(str(tmp_path / "t.json"))

    def listing():  # a thread with a phase of its own
        with rec.phase("listing"):
            rec.request()
            rec.request()

    with rec.phase("destinations"):
        with ThreadPoolExecutor(1) as pool:
            pool.submit(listing).result()
        rec.request()
    with rec.phase("writes"):
        with ThreadPoolExecutor(4) as pool:  # apply's workers open no phase: the main thread's counts
            list(pool.map(lambda _: rec.request(), range(5)))
    rec.request()  # outside any phase

    counts = {s["phase"]: s["requests"] for s in rec.spans}
    assert counts == {"destinations": 1, "listing": 2, "writes": 5}
    assert rec.unattributed == 1


def test_a_phase_inside_itself_is_one_span_and_the_file_has_them_all(tmp_path):
    rec = _Recorder(str(tmp_path / "t.json"))
    with rec.phase("destinations"):
        with rec.phase("destinations"):  # a lazy lookup made inside its own phase
            rec.request()
    rec.span("dbt target helper (own process)", 0.1, 0.9)
    rec.write()

    data = json.loads((tmp_path / "t.json").read_text())
    assert [(s["phase"], s["requests"]) for s in data["spans"]] == [
        ("destinations", 1), ("dbt target helper (own process)", 0)]
    assert all(s["end"] >= s["start"] for s in data["spans"])
    assert data["epoch"] > 0 and data["exit"] >= data["spans"][0]["end"]
