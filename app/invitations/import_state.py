"""A batch's import status, and how an import writes in bulk (shared by storing and undoing).

See app/invitations/batches.py for why an import is committed chunk by chunk.
"""

from __future__ import annotations

from typing import Any

# Each chunk is one commit. On SQLite a commit costs about 80 ms (the WAL's checkpoints sync the
# file): 2,000 rows a chunk keeps 100,000 rows to 50 commits, while a victim's write still waits
# at most a few hundred milliseconds for a chunk to finish (docs/performance.md).
CHUNK_SIZE = 2000

IMPORTING = "importing"
COMPLETE = "complete"
FAILED = "failed"

# For UPDATE and DELETE over many rows: no ORM objects of them are held, and the default
# ("auto") would fetch every affected id back into Python (97,500 ids when a 100,000-row
# batch completes: 45 MB of heap and seconds inside the final transaction).
NO_SYNC: dict[str, Any] = {"synchronize_session": False}
