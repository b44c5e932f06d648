"""Test setup for clastic-render."""

from __future__ import annotations
