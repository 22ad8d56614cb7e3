# Plan Map: `make run` serves the app, `make test` runs every test. Both set everything up from nothing.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8501
ADDRESS ?= localhost
HOST ?=

.PHONY: run serve test install install-test system-deps qgis-deps bench load clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

# Debian packages: Chromium for the browser tests, a CJK font for report maps, GDAL's ogrinfo for export checks.
system-deps:
	@if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || ! command -v ogrinfo >/dev/null; then \
		apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium fonts-noto-cjk gdal-bin; \
	fi

# QGIS's Python, for the test that opens the GeoPackage export in QGIS itself (tests/test_qgis_styles.py).
qgis-deps:
	@/usr/bin/python3 -c "import qgis.core" 2>/dev/null || \
		(apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends python3-qgis qgis-providers)

run: install system-deps
	$(VENV)/bin/streamlit run server.py --server.port $(PORT) --server.address $(ADDRESS) --server.headless true \
		$(if $(HOST),--server.allowedHosts $(HOST))

# Several processes behind Debian's nginx with sticky sessions (deploy/serve_many.py): one per core by default.
WORKERS ?= 2
serve: install system-deps
	@command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || \
		(apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q nginx)
	$(PY) deploy/serve_many.py --workers $(WORKERS) --address $(ADDRESS) --port $(PORT) $(if $(HOST),--host $(HOST))

test: install system-deps qgis-deps
	$(PY) -m pytest -q

# `make bench` (~12 min) writes benchmarks/RESULTS.md; `BENCH_ONLY=interactions make bench` (~6 min) only times
# clicks, task picks, language switches, the indicators panel, pans and the first map against the floor.
# BENCH_ONLY=big-layer: only the 1 000 000-parcel rows (benchmarks/big_layer.py), their section of RESULTS.md replaced.
bench: install system-deps
	$(PY) benchmarks/run.py

# Load and soak on loopback (about 2 minutes): SESSIONS websocket sessions acting every INTERVAL s for DURATION s,
# with BROWSERS real Chromium pages toggling beside them, then CHURN sessions opened and closed; prints toggle
# latency p50/p95 (websocket and browser), errors, server CPU and RSS. Target: SESSIONS=50, p95 ≤ 1 s, 0 errors.
SESSIONS ?= 20
INTERVAL ?= 3
DURATION ?= 60
CHURN ?= 500
BROWSERS ?= 3
LOAD_WORKERS ?= 1
load: install system-deps
	@[ "$(LOAD_WORKERS)" = 1 ] || command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || \
		(apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q nginx)
	$(PY) benchmarks/load.py --sessions $(SESSIONS) --interval $(INTERVAL) --duration $(DURATION) --churn $(CHURN) \
		--browsers $(BROWSERS) --workers $(LOAD_WORKERS)

clean:
	rm -rf $(VENV) .pytest_cache
