"""The development sender: appends one JSON line per message to VV_OUTBOX_PATH."""

from __future__ import annotations

import fcntl
import json
import os
from pathlib import Path

from app.db import utcnow as now
from app.messaging.sender import OutgoingMessage, SendReceipt


class OutboxSender:
    """Writes `{"channel", "to", "body", "sent_at"}` (plus subject and reference) per line."""

    name = "outbox"

    def __init__(self, path: Path | None = None) -> None:
        self._path = path

    @property
    def path(self) -> Path:
        if self._path is not None:
            return self._path
        from app.settings import get_settings

        return Path(get_settings().outbox_path)

    def send(self, message: OutgoingMessage) -> SendReceipt:
        record = {
            "channel": message.channel,
            "to": message.to,
            "body": message.body,
            "sent_at": now().isoformat(),
            "reference": message.reference,
        }
        if message.subject is not None:
            record["subject"] = message.subject
        line = json.dumps(record, ensure_ascii=False) + "\n"
        path = self.path
        path.parent.mkdir(parents=True, exist_ok=True)
        # One write under an exclusive lock: lines from several workers never interleave.
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            os.write(fd, line.encode())
        finally:
            os.close(fd)
        return SendReceipt(provider=self.name, provider_id=message.reference)
