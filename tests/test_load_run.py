"""benchmarks/load.py drives a real server at the websocket level: a short run holds its sessions, toggles
layers (each toggle reaching the map) and meets no error."""
from __future__ import annotations

from tests.load_runs import load, short_load_run


def test_a_short_load_run_holds_every_session_without_error(tmp_path, capsys):
    out = short_load_run(capsys, 3, "--duration", "6", "--churn", "3", "--browsers", "1",
                         "--json", str(tmp_path / "load.json"))
    assert "real browsers        1 / 1 opened" in out and "errors 0" in out
    result = (tmp_path / "load.json").read_text(encoding="utf-8")
    assert '"toggles": 0' not in result and '"churn_errors": 0' in result and '"browser_toggles": 0' not in result


def test_percentiles_and_loopback_only():
    assert load.percentile([0.1, 0.2, 0.3, 0.4, 5.0], 0.5) == 0.3
    assert load.percentile([0.1, 0.2, 0.3, 0.4, 5.0], 0.95) == 5.0
    try:
        load.main(["--url", "http://10.0.0.8:8501"])
    except SystemExit as exit_:
        assert exit_.code == 2
    else:
        raise AssertionError("a remote URL was accepted")
