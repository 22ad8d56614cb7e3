"""Where the shipped data lives, so every caller agrees on one location."""
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data"
PLAN_DIR = DATA_DIR / "plan"
SEEDS_DIR = ROOT / "seeds"
SHARED_DIR = ROOT.parent / "shared"
SHARED_SEEDS_DIR = SHARED_DIR / "seeds"
