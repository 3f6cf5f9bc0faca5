"""Staff's encrypted fields: the second factor's secret."""

from __future__ import annotations

from sqlmodel import Session

from app.auth.models import StaffUser
from app.encrypted_rows import rotate_rows


def rotate_staff_encryption(session: Session) -> dict[str, int]:
    """Re-encrypt every stored second-factor secret."""
    return {"second_factor_secrets": rotate_rows(session, StaffUser, ("totp_secret_encrypted",))}
