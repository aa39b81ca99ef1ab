# Convenience targets; the README shows the plain commands they run.
.PHONY: setup demo test bench

setup:
	python3 -m venv .venv && .venv/bin/pip install -q -e '.[test]'

demo: setup
	.venv/bin/localise extract && .venv/bin/localise update && .venv/bin/localise build && .venv/bin/localise stats

test:
	.venv/bin/pytest

bench:
	.venv/bin/python benchmarks/run.py
