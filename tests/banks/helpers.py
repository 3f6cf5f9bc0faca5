"""Small hand-written banks for the lint tests (never the shipped banks, which change)."""

from __future__ import annotations

from typing import Any

from app.banks.problems import Problem

YES_NO = [{"code": "yes", "label": "Yes"}, {"code": "no", "label": "No"}]


def yes_no(question_id: str, measure: str | None = None, **extra: Any) -> dict[str, Any]:
    question: dict[str, Any] = {
        "id": question_id,
        "type": "yes_no",
        "text": "Were you told how to complain?",
        "options": YES_NO,
    }
    if measure is not None:
        question["measures"] = [measure]
    question.update(extra)
    return question


def text_box(question_id: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": question_id,
        "type": "text",
        "text": "Is there anything else you would like to tell us about the service?",
        **extra,
    }


def bank(*sections: dict[str, Any], slug: str = "general", **extra: Any) -> dict[str, Any]:
    return {"slug": slug, "title": "Test bank", "sections": list(sections), **extra}


def section(section_id: str, *questions: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"id": section_id, "title": "Section", "questions": list(questions), **extra}


def of_rule(problems: list[Problem], *rules: str) -> list[str]:
    """`where: message` of the problems of these rules, warnings marked."""
    return [
        f"{p.question_id}: {'warning: ' if p.severity == 'warning' else ''}{p.message}"
        for p in problems
        if p.rule in rules
    ]
