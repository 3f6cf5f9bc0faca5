"""Sender protocol; outbox, GOV.UK Notify and SMTP adapters; message texts."""
