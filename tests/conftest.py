"""Shared test configuration. Fixtures for apps come from clastic's pytest plugin."""
