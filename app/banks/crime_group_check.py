"""Checks of question_banks/crime_groups.yaml, for `victim-voice banks check` and `banks load`.

The file must parse (app/crime_groups.py); every group needs a bank among the files checked
and a message set usable for its contact class in messages.yaml beside it; a group other than
the shipped `general` marked general must name an approver, and `banks load` refuses the file
unless that person is an active user holding the approver role.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml
from sqlmodel import Session, select

from app.auth.models import StaffUser
from app.banks.problems import BANK, Problem
from app.banks.yaml_files import read_yaml, yaml_message
from app.crime_groups import CrimeGroupEntry, parse_crime_groups
from app.enums import Role
from app.messaging import texts

MESSAGES_FILE = "messages.yaml"
KINDS = ("invitation", "reminder")
RULE = "crime_groups"


def message_set_for(document: Any, contact_class: str) -> Any:
    """The message set a contact class is sent from, as app/messaging/texts.py chooses it
    (None when it has none)."""
    if not isinstance(document, dict):
        return None
    try:
        return texts.message_set(document, contact_class)
    except texts.MessageFileError:
        return None


def _set_problem(message_set: Any) -> str | None:
    """What makes a message set unusable (an English SMS body, email subject and body for
    the invitation and the reminder), or None."""
    if not isinstance(message_set, dict):
        return "there is no message set"
    for kind in KINDS:
        channels = message_set.get(kind)
        if not isinstance(channels, dict):
            return f"the set has no {kind}"
        for channel, parts in (("sms", ("body",)), ("email", ("subject", "body"))):
            texts = channels.get(channel)
            for part in parts:
                value = texts.get(part) if isinstance(texts, dict) else None
                english = value.get("en") if isinstance(value, dict) else value
                if not isinstance(english, str) or not english.strip():
                    return f"the {kind} has no English {channel} {part}"
    return None


def _messages_problems(
    name: str, entries: list[CrimeGroupEntry], messages_path: Path
) -> list[Problem]:
    try:
        document = read_yaml(messages_path)
    except (OSError, yaml.YAMLError):
        return [Problem(name, BANK, f"{messages_path.name} is missing or unreadable", rule=RULE)]
    problems = []
    for entry in entries:
        problem = _set_problem(message_set_for(document, entry.contact))
        if problem is not None:
            message = f"no usable message set for a {entry.contact} group in {MESSAGES_FILE}"
            problems.append(Problem(name, entry.slug, f"{message}: {problem}", rule=RULE))
    return problems


def check_crime_groups_file(
    path: Path, name: str, bank_groups: Iterable[str] | None
) -> tuple[list[CrimeGroupEntry], list[Problem]]:
    """The entries and problems of the file. `bank_groups`: the crime groups of the banks
    checked with it (None when no bank was checked: then banks are not required)."""
    try:
        data = read_yaml(path)
    except yaml.YAMLError as error:
        return [], [Problem(name, BANK, yaml_message(error), rule=RULE)]
    entries, found = parse_crime_groups(data)
    problems = [Problem(name, BANK, message, rule=RULE) for message in found]
    if bank_groups is not None:
        have = set(bank_groups)
        problems += [
            Problem(name, entry.slug, f"no bank file has crime_group {entry.slug}", rule=RULE)
            for entry in entries
            if entry.slug not in have
        ]
    problems += _messages_problems(name, entries, path.parent / MESSAGES_FILE)
    return entries, problems


def unapproved_general_groups(session: Session, entries: Iterable[CrimeGroupEntry]) -> list[str]:
    """Messages for each group marked general whose named approver is not an active approver."""
    refused = []
    for entry in entries:
        if not entry.needs_approval or entry.general_approved_by is None:
            continue
        user = session.exec(
            select(StaffUser).where(StaffUser.email == entry.general_approved_by)
        ).first()
        if user is None or user.disabled_at is not None or Role.approver not in user.roles:
            refused.append(
                f"{entry.slug}: general_approved_by must name an active user with the approver "
                "role; the group stays specialist until one approves it"
            )
    return refused
