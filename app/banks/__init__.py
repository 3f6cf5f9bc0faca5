"""Question banks: format, lint, versions, partner editing, support services."""
