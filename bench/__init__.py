"""Benchmarks run by hand (``python bench/<name>.py``), not installed: a package so that the
import contract (``lint-imports``) covers them, as its top layer."""
