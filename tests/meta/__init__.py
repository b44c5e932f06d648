"""Tests of clastic-meta (the /_meta/ application)."""
