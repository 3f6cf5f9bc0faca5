"""A real `victim-voice dispatch --once` process that stops dead at a chosen point, so a test
can kill it there with SIGKILL. Nothing in the service is changed: this script wraps two
functions of app.invitations.dispatch from the outside, then runs the real command line.

    python dispatch_crash_worker.py POINT NTH MARKER [SLOW_SECONDS]

POINT is where to stop, at its NTH occurrence (1-based):
  claim        inside the claim transaction, before it commits
  before_send  after the hand-over mark was committed, before the sender is called
  after_send   after the sender accepted the message, before the sent mark
  none         never stop (with SLOW_SECONDS, a slow worker for lease races)
The process appends "paused <reference or ->" to MARKER, then sleeps until it is killed.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any


def main() -> None:
    point, nth, marker = sys.argv[1], int(sys.argv[2]), Path(sys.argv[3])
    slow = float(sys.argv[4]) if len(sys.argv) > 4 else 0.0
    seen = {"claim": 0, "send": 0}

    def pause(reference: str) -> None:
        with marker.open("a") as handle:
            handle.write(f"paused {reference}\n")
        time.sleep(3600)

    from app.invitations import dispatch
    from app.messaging.sender import OutgoingMessage, SendReceipt

    real_claim_due = dispatch.claim_due
    real_get_sender = dispatch.get_sender

    def claim_due(*args: Any, **kwargs: Any) -> list[str]:
        ids = real_claim_due(*args, **kwargs)
        seen["claim"] += 1
        if point == "claim" and seen["claim"] == nth:
            pause("-")  # the claim transaction is still open: nothing is committed
        return ids

    class PausingSender:
        def __init__(self) -> None:
            self.inner = real_get_sender()
            self.name = self.inner.name

        def send(self, message: OutgoingMessage) -> SendReceipt:
            seen["send"] += 1
            if slow:
                time.sleep(slow)
            if point == "before_send" and seen["send"] == nth:
                pause(message.reference)
            receipt = self.inner.send(message)
            if point == "after_send" and seen["send"] == nth:
                pause(message.reference)
            return receipt

    dispatch.claim_due = claim_due  # type: ignore[assignment]
    dispatch.get_sender = PausingSender  # type: ignore[assignment]

    from app.cli import app

    app(["dispatch", "--once"])


if __name__ == "__main__":
    main()
