"""Who is calling, and what they may do: FastAPI dependencies for roles.

Interface used by every domain (the auth implementation fills in `current_caller`):

    caller: Caller = Depends(require_roles(Role.analyst))
    caller.actor          -> "user:12" or "key:ab12cd34" (for audit events; never an email)
    caller.roles          -> set of Role
    caller.may_edit(slug) -> bool (admin, or editor with that bank in scope)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from fastapi import Request

from app.enums import Role
from app.errors import NotAuthenticated


@dataclass(frozen=True)
class Caller:
    actor: str
    roles: frozenset[Role]
    bank_scopes: frozenset[str] = field(default_factory=frozenset)
    user_id: int | None = None
    api_key_id: int | None = None
    csrf_token: str | None = None

    def has_any(self, *roles: Role) -> bool:
        return Role.admin in self.roles or any(role in self.roles for role in roles)

    def may_edit(self, slug: str) -> bool:
        return Role.admin in self.roles or (Role.editor in self.roles and slug in self.bank_scopes)


def current_caller(request: Request) -> Caller:  # replaced by the auth implementation
    raise NotAuthenticated("Sign in, or send a valid API key.")


def require_roles(*roles: Role) -> Callable[..., Caller]:
    """Dependency: the caller, if they hold any of `roles` (admin holds all); else 403."""
    raise NotImplementedError


def require_staff() -> Callable[..., Caller]:
    """Dependency: any authenticated staff caller."""
    raise NotImplementedError
