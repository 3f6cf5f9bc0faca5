"""Surveys handed over by support services (ISVA and IDVA services, issue 12): a support
worker finds an invitation of their service by the client's crime reference, records the
victim's agreement and hands over a one-time code, which the victim types on `/code`."""
