"""The manifest describes the very texts the citations were checked against."""
from __future__ import annotations

import hashlib

import pandas as pd
import pytest

from geo.paths import SEEDS_DIR, SHARED_SEEDS_DIR
from geo.plan import load_plan


@pytest.fixture(scope="module")
def manifest():
    return pd.read_csv(SEEDS_DIR / "manifest.csv", dtype=str)


def test_manifest_covers_every_cited_document(manifest):
    plan = load_plan()
    cited = set(plan.tasks["doc_id"]) | set(plan.indicators["doc_id"]) | set(plan.values["doc_id"])
    assert cited <= set(manifest["id"])
    assert set(manifest["kind"]) <= {"plan", "implementation plan", "annual plan", "evaluation"}


def test_manifest_hashes_match_the_sources(manifest):
    if not SHARED_SEEDS_DIR.exists():
        pytest.skip(f"source documents not found at {SHARED_SEEDS_DIR}")
    for row in manifest.itertuples():
        digest = hashlib.sha256((SHARED_SEEDS_DIR / f"{row.id}.txt").read_bytes()).hexdigest()
        assert digest == row.sha256, row.id
