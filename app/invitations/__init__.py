"""Invitation batches, contacts (encrypted), signed links, scheduling and erasure."""
