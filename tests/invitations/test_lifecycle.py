"""Only app/invitations/lifecycle.py may write an invitation's or a message's status.

The check reads every module of `app/` with `ast`, so a new writer fails here before review.
It flags, outside lifecycle.py:
- `<x>.status = ...` (also augmented/annotated) where `<x>` names an invitation or a message,
  or anywhere in a module that imports `Invitation` or `OutboundMessage`;
- `setattr(<x>, "status", ...)`;
- `update(Invitation | OutboundMessage)...values(status=... | {"status": ...})`, and the
  same `update(...)` executed with parameter dicts that carry a "status" key;
- `Invitation(status=...)` / `OutboundMessage(status=...)`.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.invitations import lifecycle
from app.invitations.lifecycle import InvitationStatus, MessageStatus
from app.invitations.models import Invitation, OutboundMessage

APP = Path(__file__).resolve().parents[2] / "app"
OWNER = APP / "invitations" / "lifecycle.py"
MODELS = frozenset({"Invitation", "OutboundMessage"})
# A base expression whose last name looks like one of these holds an invitation or a message.
OWNED_NAMES = ("invitation", "message", "inv", "msg")


def _model_name(node: ast.expr) -> str | None:
    """`Invitation`, `models.Invitation` or `Invitation.__table__` → "Invitation"."""
    if isinstance(node, ast.Attribute) and node.attr == "__table__":
        node = node.value
    if isinstance(node, ast.Name) and node.id in MODELS:
        return node.id
    if isinstance(node, ast.Attribute) and node.attr in MODELS:
        return node.attr
    return None


def _is_update_of_model(node: ast.AST) -> bool:
    """`update(Invitation)`, `sa.update(OutboundMessage)` or `Invitation.__table__.update()`."""
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    is_update = (isinstance(func, ast.Name) and func.id == "update") or (
        isinstance(func, ast.Attribute) and func.attr == "update"
    )
    if not is_update:
        return False
    if node.args and _model_name(node.args[0]):
        return True
    return isinstance(func, ast.Attribute) and _model_name(func.value) is not None


def _chain_has_model_update(node: ast.expr) -> bool:
    """Walk down `a(...).b(...).values(...)` to its root call."""
    while True:
        if _is_update_of_model(node):
            return True
        if isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Attribute):
            node = node.value
        else:
            return False


def _dict_sets_status(node: ast.AST) -> bool:
    return isinstance(node, ast.Dict) and any(
        isinstance(key, ast.Constant) and key.value == "status" for key in node.keys
    )


def _sets_status(call: ast.Call) -> bool:
    if any(keyword.arg == "status" for keyword in call.keywords):
        return True
    return any(_dict_sets_status(arg) for arg in call.args)


def _executes_update_with_status(call: ast.Call) -> bool:
    """`session.execute(update(OutboundMessage), [{"id": ..., "status": ...}, ...])`."""
    if not call.args or not _is_update_of_model(call.args[0]):
        return False
    return any(
        isinstance(arg, ast.List | ast.Tuple) and any(map(_dict_sets_status, arg.elts))
        for arg in call.args[1:]
    )


def _imports_models(tree: ast.Module) -> bool:
    return any(
        isinstance(node, ast.ImportFrom) and any(alias.name in MODELS for alias in node.names)
        for node in ast.walk(tree)
    )


def _names_owned(node: ast.expr) -> bool:
    last = node.attr if isinstance(node, ast.Attribute) else getattr(node, "id", "")
    return any(word in str(last).lower() for word in OWNED_NAMES)


def _status_targets(node: ast.AST) -> list[ast.expr]:
    if isinstance(node, ast.Assign):
        targets: list[ast.expr] = []
        for target in node.targets:
            targets.extend(target.elts if isinstance(target, ast.Tuple) else [target])
        return targets
    if isinstance(node, ast.AugAssign | ast.AnnAssign):
        return [node.target]
    return []


def status_writes(source: str, filename: str = "<source>") -> list[str]:
    """Every place in `source` that writes an invitation's or a message's status."""
    tree = ast.parse(source, filename)
    strict = _imports_models(tree)
    found: list[str] = []
    for node in ast.walk(tree):
        for target in _status_targets(node):
            is_status = isinstance(target, ast.Attribute) and target.attr == "status"
            if is_status and (strict or _names_owned(getattr(target, "value", target))):
                line = getattr(node, "lineno", 0)
                found.append(f"{filename}:{line}: {ast.unparse(target)} = ...")
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id == "setattr" and len(node.args) >= 2:
            name = node.args[1]
            if isinstance(name, ast.Constant) and name.value == "status":
                found.append(f"{filename}:{node.lineno}: setattr(..., 'status', ...)")
        if (
            isinstance(func, ast.Attribute)
            and func.attr == "values"
            and _sets_status(node)
            and _chain_has_model_update(func.value)
        ):
            found.append(f"{filename}:{node.lineno}: update(...).values(status=...)")
        if _executes_update_with_status(node):
            found.append(f"{filename}:{node.lineno}: execute(update(...), [{{'status': ...}}])")
        if _model_name(func) and any(keyword.arg == "status" for keyword in node.keywords):
            found.append(f"{filename}:{node.lineno}: {ast.unparse(func)}(status=...)")
    return found


def test_only_lifecycle_writes_invitation_and_message_statuses() -> None:
    found: list[str] = []
    for path in sorted(APP.rglob("*.py")):
        if path == OWNER:
            continue
        found += status_writes(path.read_text(encoding="utf-8"), str(path.relative_to(APP)))
    assert found == [], "status written outside app/invitations/lifecycle.py:\n" + "\n".join(found)


@pytest.mark.parametrize(
    "source",
    [
        "invitation.status = 'completed'",
        "victim.invitation.status = InvitationStatus.opened",
        "message.status = MessageStatus.due",
        "from app.invitations.models import Invitation\nrow.status = 'x'",
        "setattr(invitation, 'status', 'sent')",
        "update(Invitation).where(x).values(status=InvitationStatus.expired)",
        "sa.update(OutboundMessage).where(a).where(b).values(status='due', error=None)",
        "update(OutboundMessage).values({'status': 'due'})",
        "Invitation.__table__.update().values(status='expired')",
        "session.execute(update(OutboundMessage), [{'id': 'x', 'status': 'due'}])",
        "OutboundMessage(invitation_id='x', kind='reminder', status='due', due_at=at)",
    ],
)
def test_the_check_catches_each_way_of_writing(source: str) -> None:
    assert status_writes(source), source


@pytest.mark.parametrize(
    "source",
    [
        "draft.status = service.DRAFT",  # a question bank version, not an invitation
        "update(InvitationBatch).values(status='failed')",
        "update(Invitation).values(contact_id=None)",
        "if invitation.status == 'completed':\n    pass",
        "select(Invitation).where(col(Invitation.status) == 'sent')",
        "{'status': 'completed'}",
    ],
)
def test_the_check_leaves_other_writes_and_reads_alone(source: str) -> None:
    assert status_writes(source) == [], source


# --- the transitions keep the funnel moving forwards only -----------------------------------

AT = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
EVERY_INVITATION_STATUS = list(InvitationStatus)


def _invitation(status: str) -> Invitation:
    return Invitation(
        batch_id="b",
        crime_group="theft",
        touchpoint="report",
        touchpoint_date=AT.date(),
        channel="sms",
        status=status,
    )


def _message(status: str) -> OutboundMessage:
    return OutboundMessage(invitation_id="i", kind="invitation", due_at=AT, status=status)


def _after(change: Callable[[Invitation], object], status: InvitationStatus) -> str:
    invitation = _invitation(status)
    change(invitation)
    return invitation.status


@pytest.mark.parametrize(
    ("change", "moves"),
    [
        (lifecycle.mark_opened, {"sent": "opened", "delivered": "opened", "failed": "opened"}),
        (
            lifecycle.mark_started,
            {s: "started" for s in ("sent", "delivered", "failed", "opened")},
        ),
        (
            lambda i: lifecycle.mark_delivered(i, at=AT),
            {"pending": "delivered", "sent": "delivered", "failed": "delivered"},
        ),
        (lifecycle.mark_delivery_failed, {"pending": "failed", "sent": "failed"}),
        (lifecycle.mark_failed, {"pending": "failed"}),
        (lambda i: lifecycle.mark_sent(i, at=AT, expires_at=AT), {"pending": "sent"}),
        (lambda i: lifecycle.cancel(i, at=AT), {"pending": "cancelled"}),
    ],
)
def test_each_invitation_transition_leaves_only_the_statuses_it_names(
    change: Callable[[Invitation], object], moves: dict[str, str]
) -> None:
    for status in EVERY_INVITATION_STATUS:
        assert _after(change, status) == moves.get(status, status), status


@pytest.mark.parametrize(
    "change", [lifecycle.mark_completed, lifecycle.mark_withdrawn], ids=["complete", "withdraw"]
)
def test_completing_and_withdrawing_need_a_usable_link(change: Callable[..., None]) -> None:
    for status in EVERY_INVITATION_STATUS:
        invitation = _invitation(status)
        if status in lifecycle.USABLE_LINK:
            change(invitation, at=AT)
            assert invitation.status != status or status == "completed"
        else:
            with pytest.raises(lifecycle.TransitionRefused):
                change(invitation, at=AT)


@pytest.mark.parametrize(
    "change", [lifecycle.mark_completed, lifecycle.mark_withdrawn], ids=["complete", "withdraw"]
)
def test_a_finished_survey_keeps_no_copy_of_its_link(change: Callable[..., None]) -> None:
    """No reminder follows a completed or withdrawn survey, so the encrypted copy kept for it
    goes at once rather than when the link ends."""
    invitation = _invitation("started")
    invitation.link_encrypted = "an encrypted copy of the link"
    change(invitation, at=AT)
    assert invitation.link_encrypted is None


def test_receipts_and_steps_stamp_their_times_once() -> None:
    invitation = _invitation(InvitationStatus.sent)
    assert lifecycle.mark_delivered(invitation, at=AT) and invitation.delivered_at == AT
    lifecycle.mark_opened(invitation, AT)
    lifecycle.mark_started(invitation, AT + timedelta(minutes=1))
    assert invitation.opened_at == AT and invitation.status == "started"
    later = AT + timedelta(hours=1)
    assert not lifecycle.mark_delivered(invitation, at=later) and invitation.delivered_at == AT


@pytest.mark.parametrize(
    ("change", "allowed"),
    [
        (lambda m: lifecycle.hand_over(m, at=AT, until=AT), {"claimed"}),
        (lambda m: lifecycle.settle_held(m, sent=True, at=AT), {"review"}),
        (lambda m: lifecycle.cancel_message(m, "x"), {"importing", "due", "claimed"}),
    ],
)
def test_message_transitions_refuse_a_message_elsewhere(
    change: Callable[[OutboundMessage], object], allowed: set[str]
) -> None:
    for status in MessageStatus:
        message = _message(status)
        if status in allowed:
            change(message)
        else:
            with pytest.raises(lifecycle.TransitionRefused):
                change(message)
