"""Insight: what the published record says when it is compared, read from publications only.

Councils against their peers, councils side by side, the national picture of each point,
products, trends and how self scores differ from agreed ones. Every figure is worked out
by the database from `Publication` and `PublishedPoint` rows (never from live assessments),
in a fixed number of queries, and drawn with `charts` (server-rendered SVG beside a table
of the same figures).
"""
