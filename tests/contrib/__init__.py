"""Tests of clastic.contrib (shipped by clastic-meta): the namespace, the object browser, webtop."""
