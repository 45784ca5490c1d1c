"""The bench's CNN large-input measurement, run on a small input so that it fits in a test."""

import threading

import pytest

from explorer.bench import CNN_LARGE_TARGET_MS, bench_cnn_large


def test_a_layer_edit_is_timed_to_the_repainted_table_and_to_the_maps(qtbot):
    result = bench_cnn_large(count=3, side=96)
    assert (result["side"], result["edits"]) == (96, 3)
    assert 0 < result["repaint_median_ms"] <= result["repaint_p95_ms"]
    # The maps come after the table's repaint (from the worker thread), the checks after them.
    assert result["repaint_median_ms"] < result["maps_median_ms"] <= result["maps_p95_ms"]
    assert result["maps_median_ms"] < result["checks_median_ms"] <= result["checks_p95_ms"]
    assert result["target_ms"] == CNN_LARGE_TARGET_MS == pytest.approx(16.67, abs=0.01)
    # The panel it built is closed: its worker thread is gone.
    assert not [t for t in threading.enumerate() if t.name.startswith("cnn-forward")]
