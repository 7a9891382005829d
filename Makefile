# Everyday commands. The venv lives in .venv (the README's commands create it).
PY ?= .venv/bin/python

.PHONY: install test test-all lint typecheck bench serve
install:
	python3 -m venv .venv && .venv/bin/pip install -e '.[test,bench,dev]'
test:
	$(PY) -m pytest
test-all:
	$(PY) -m pytest -m ''
lint:
	$(PY) -m ruff check src tests bench && $(PY) -m ruff format --check src tests bench
typecheck:
	$(PY) -m mypy
bench:
	$(PY) bench/bench_load.py && $(PY) bench/bench_sparql.py && $(PY) bench/bench_network.py
serve:
	.venv/bin/aigraph serve
