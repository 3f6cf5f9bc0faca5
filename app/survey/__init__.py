"""The victim's journey: pages and JSON.

entry.py       token → usable invitation (404 unknown/forged, 410 ended), opened/started
session.py     the survey session cookie a link is exchanged for, and its CSRF token
bank.py        the pinned bank version (cached per process) and live support services
state.py       one invitation's survey as one viewer may see it: language, questions, answers
visibility.py  pure: a saved value is shown only to the session that saved it (docs/survey.md)
text_input.py  pure: a victim's typed text without control characters, never refused
journey.py     pure: which pages show on current answers, next/previous, progress, resume
answers.py     what a question can take; one upserted row per question
submit.py      one anonymous response per invitation, under the invitation's row lock
withdraw.py    erase everything the link answered; the link then ends
contact_me.py  an explicit, encrypted request to be contacted, tied to nothing, one per link
i18n.py        interface strings (gettext via Babel) and their review status
service.py     the use cases, one call per request (open, save, resume, submit, withdraw,
               contact request); outcomes.py  what they take and give back
reporting_link.py  the survey's only way into reporting (rollups, published actions)
routes.py      the JSON API (token only): requests to service calls, results to JSON
pages.py, question_pages.py, end_pages.py  the HTML pages (session cookie): requests to
               service calls, results to pages; page_kit.py  what every page shares
"""
