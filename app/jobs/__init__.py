"""Jobs that cross domains: retention and purge, the dispatch loop, the rollup rebuild.

They sit above every domain (app/invitations, app/survey, app/reporting) and below the command
line that runs them, so no domain needs to import another to clean up after it.
"""
