"""How big a bank document may be, so that no draft can cost the service memory or time.

The shipped banks are about 60 KB, 1,800 values, 8 levels deep and under 40 questions; the
caps leave room for many times that. They apply to a YAML draft as it is read (so a hostile
one is refused before it is built) and to a JSON draft once parsed.
"""

from __future__ import annotations

from typing import Any

MAX_BANK_BYTES = 512 * 1024
MAX_BANK_NODES = 50_000
MAX_BANK_DEPTH = 32
MAX_BANK_QUESTIONS = 300

TOO_MANY_BYTES = f"a bank may be at most {MAX_BANK_BYTES // 1024} KB"
TOO_MANY_NODES = f"a bank may hold at most {MAX_BANK_NODES} values"
TOO_DEEP = f"a bank may be nested at most {MAX_BANK_DEPTH} levels deep"
TOO_MANY_QUESTIONS = f"a bank may hold at most {MAX_BANK_QUESTIONS} questions"


def _questions(document: dict[str, Any]) -> int:
    count = 0
    if isinstance(document.get("questions"), list):
        count += len(document["questions"])
    sections = document.get("sections")
    for section in sections if isinstance(sections, list) else []:
        if isinstance(section, dict) and isinstance(section.get("questions"), list):
            count += len(section["questions"])
    return count


def document_size_problem(document: Any) -> str | None:
    """Why a parsed document is too big to be a bank, or None (iterative, so any depth)."""
    nodes = 0
    size = 0
    stack: list[tuple[Any, int]] = [(document, 1)]
    while stack:
        item, depth = stack.pop()
        nodes += 1
        if nodes > MAX_BANK_NODES:
            return TOO_MANY_NODES
        if depth > MAX_BANK_DEPTH:
            return TOO_DEEP
        if isinstance(item, dict):
            for key, value in item.items():
                size += len(str(key))
                stack.append((value, depth + 1))
        elif isinstance(item, list):
            stack.extend((value, depth + 1) for value in item)
        elif isinstance(item, str):
            size += len(item.encode("utf-8", errors="replace"))
        if size > MAX_BANK_BYTES:
            return TOO_MANY_BYTES
    if isinstance(document, dict) and _questions(document) > MAX_BANK_QUESTIONS:
        return TOO_MANY_QUESTIONS
    return None
