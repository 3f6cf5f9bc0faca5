"""Victim Voice: a trauma-informed feedback service for victims of crime."""
