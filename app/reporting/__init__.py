"""Metrics, rollups, suppression, aggregates, dashboard and report."""
