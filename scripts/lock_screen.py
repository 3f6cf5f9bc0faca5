"""A phone's lock screen showing a specialist group's SMS exactly as it would be sent.

For docs/screenshots/: what someone else holding the phone would see. The text comes from the
real message file and renderer, with a link of the real length (app.invitations.links).
"""

from __future__ import annotations

import html

from app.invitations.links import new_token
from app.messaging.texts import Deployment, render_message, stop_link, survey_link
from app.settings import get_settings

_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Lock screen</title>
<style>
  body {{ margin: 0; font-family: "DejaVu Sans", sans-serif; color: #fff;
         background: linear-gradient(160deg, #283048, #4b6cb7); min-height: 100vh; }}
  .clock {{ text-align: center; padding-top: 48px; }}
  .clock .time {{ font-size: 64px; font-weight: 300; }}
  .clock .date {{ font-size: 18px; opacity: .85; }}
  .card {{ margin: 32px 12px 0; padding: 12px 14px; border-radius: 16px;
          background: rgba(255,255,255,.88); color: #111; }}
  .card .head {{ display: flex; justify-content: space-between; font-size: 13px; color: #555; }}
  .card .from {{ font-weight: bold; font-size: 15px; color: #111; margin: 4px 0 2px; }}
  .card .body {{ font-size: 15px; line-height: 1.3; white-space: pre-wrap;
                overflow-wrap: anywhere; }}
  .preview .body {{ display: -webkit-box; -webkit-line-clamp: 4; -webkit-box-orient: vertical;
                   overflow: hidden; }}
  .label {{ margin: 24px 14px 4px; font-size: 13px; opacity: .85; }}
</style></head>
<body>
  <div class="clock"><div class="time">10:12</div><div class="date">Tuesday 1 December</div></div>
  <div class="label">Notification (preview)</div>
  <div class="card preview"><div class="head"><span>Messages</span><span>now</span></div>
    <div class="from">{sender}</div><div class="body">{body}</div></div>
  <div class="label">The whole message as sent</div>
  <div class="card"><div class="head"><span>Messages</span><span>now</span></div>
    <div class="from">{sender}</div><div class="body">{body}</div></div>
</body></html>"""


def lock_screen_html(
    base_url: str = "https://yourviews.example.org", sender: str = "07911 123456"
) -> str:
    """The lock screen with a specialist group's invitation SMS, in English, as a deployment
    at `base_url` (with the genuine-message page at its root) would send it."""
    settings = get_settings().model_copy(update={"base_url": base_url, "verify_url": ""})
    deployment = Deployment.from_settings(settings)
    token = new_token()
    text = render_message(
        "invitation",
        "sms",
        "en",
        link=survey_link(base_url, token),
        stop_link=stop_link(base_url, token),
        organisation=deployment.organisation,
        verify_url=deployment.verify_url,
        contact="specialist",
    )
    return _PAGE.format(sender=html.escape(sender), body=html.escape(text.body))
