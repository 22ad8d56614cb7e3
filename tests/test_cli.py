"""`python -m layers` as a user runs it: a subprocess, its exit status, files and messages."""
from __future__ import annotations

import io
import json
import subprocess
import sys

import pyogrio
from PIL import Image

from geo.describe import describe_dict
from geo.paths import ROOT


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "layers", *args], cwd=ROOT, capture_output=True, text=True,
                          encoding="utf-8", timeout=120)


def test_help_lists_the_commands():
    result = run("--help")
    assert result.returncode == 0
    for command in ("list", "export", "render", "describe"):
        assert command in result.stdout
    render_help = run("render", "--help")
    assert render_help.returncode == 0 and "--paper" in render_help.stdout and "--orientation" in render_help.stdout


def test_list_shows_ids_groups_and_titles():
    result = run("list")
    assert result.returncode == 0
    line = next(line for line in result.stdout.splitlines() if line.startswith("cbd_core "))
    assert "planning" in line and "CBD中心区" in line and "CBD core area" in line


def test_export_gpkg(tmp_path):
    target = tmp_path / "out.gpkg"
    result = run("export", "--layers", "cbd_core,cbd_streets,rail_operating", "--format", "gpkg", "-o", str(target))
    assert result.returncode == 0, result.stderr
    tables = {name for name, _ in pyogrio.list_layers(target)}
    assert tables == {"cbd_core", "cbd_streets", "rail_operating", "layer_styles"}


def test_render_png(tmp_path):
    target = tmp_path / "map.png"
    result = run("render", "--layers", "cbd_core,rail_operating", "--paper", "A4", "--orientation", "landscape",
                 "--dpi", "100", "--title", "CBD 报告图", "-o", str(target))
    assert result.returncode == 0, result.stderr
    image = Image.open(io.BytesIO(target.read_bytes()))
    assert image.format == "PNG" and abs(image.size[0] - 1169) <= 1 and abs(image.size[1] - 827) <= 1
    assert "CJK" in result.stderr


def test_unknown_layer_is_named_without_a_traceback(tmp_path):
    for command in (["export", "--format", "gpkg"], ["render"]):
        result = run(*command, "--layers", "cbd_core,no_such_layer", "-o", str(tmp_path / "out.gpkg"))
        assert result.returncode != 0
        assert "no_such_layer" in result.stderr and "Traceback" not in result.stderr


def test_unknown_formats_are_refused(tmp_path):
    result = run("export", "--layers", "cbd_core", "--format", "dxf", "-o", str(tmp_path / "out.dxf"))
    assert result.returncode != 0 and "dxf" in result.stderr and "Traceback" not in result.stderr
    result = run("render", "--layers", "cbd_core", "-o", str(tmp_path / "map.jpg"))
    assert result.returncode != 0 and "map.jpg" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "map.jpg").exists()


def test_describe_prints_the_answer_as_json():
    result = run("describe", "st_shuangjing", "--json")
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["place"]["id"] == "st_shuangjing" and "cbd_zone" in answer["place"]["part_of"]
    assert {task["via"] for task in answer["tasks"]} >= {"direct", "crossing", "part_of"}
    assert answer == describe_dict("st_shuangjing")


def test_describe_as_text_says_why_each_task_is_listed():
    result = run("describe", "rail_28", "--lang", "en")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Line 28 (CBD Line) (rail_28)")
    assert "[areas it crosses]" in result.stdout and "the task names CBD core area" in result.stdout
    assert "which this line crosses" in result.stdout


def test_describe_an_unknown_place_is_one_line_and_status_2():
    result = run("describe", "no_such_place")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == ["error: unknown place id 'no_such_place'"]
