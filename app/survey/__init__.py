"""The victim's journey: pages and JSON."""
