"""Re-encrypting stored fields under the first key of VV_ENCRYPTION_KEYS, a chunk at a time.

Each domain names its own encrypted fields (app/invitations/keys.py, app/survey/keys.py,
app/auth/keys.py); app/jobs/key_rotation.py runs them all, so that an old key can go.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from app.crypto import rotate

CHUNK = 1000


def rotate_rows(session: Session, model: Any, fields: tuple[str, ...], *, key: str = "id") -> int:
    """Re-encrypt `fields` of every row whose first field is set, in order of its `key` column
    (bounded memory however many rows there are); how many rows."""
    rotated = 0
    last: Any = None
    key_column = col(getattr(model, key))
    while True:
        query = select(model).where(col(getattr(model, fields[0])).is_not(None))
        if last is not None:
            query = query.where(key_column > last)
        rows = session.exec(query.order_by(key_column).limit(CHUNK)).all()
        if not rows:
            return rotated
        for row in rows:
            for name in fields:
                value = getattr(row, name)
                if value is not None:
                    setattr(row, name, rotate(value))
            session.add(row)
            last = getattr(row, key)
        rotated += len(rows)
        session.flush()
        session.expunge_all()
