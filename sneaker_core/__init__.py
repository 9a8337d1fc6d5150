"""Sneaker price forecaster engine: plain Python, no orchestration framework imported here."""

__version__ = "0.1.0"
