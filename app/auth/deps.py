"""Who is calling, and what they may do: FastAPI dependencies for roles.

Interface used by every domain:

    caller: AnalystDep                             # or StaffDep, ApproverDep, EditorDep, ...
    caller.actor          -> "user:12" or "key:ab12cd34" (for audit events; never an email)
    caller.person         -> "user:12" for a session or a key bound to user 12; None if unbound
    caller.roles          -> set of Role
    caller.may_edit(slug) -> bool (admin, or editor with that bank in scope)
    caller: StaffDep                               # any signed-in staff member or API key
                                                   # (a support worker alone: 403)
    caller: CallerDep                              # anyone signed in (the staff home page)
    caller: AggregateReaderDep                   # analysts; editors for one of their banks'
                                                   # crime groups (?crime_group=, no grouping)

A caller is either `Authorization: Bearer <api key>` or a staff browser session that has passed
the second factor. A session caller must send its CSRF token (header X-CSRF-Token or form field
csrf_token) on unsafe methods; a key caller need not, since no browser adds it on its own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any, NoReturn

from fastapi import Depends, Request
from sqlmodel import Session

from app.audit import record as record_event
from app.auth import api_keys, csrf, sessions
from app.db import SessionDep
from app.enums import Role
from app.errors import Forbidden, NotAuthenticated

NOT_AUTHENTICATED = "Sign in, or send a valid API key."
BAD_API_KEY = "The API key is not valid, or has been revoked."
BAD_CSRF = "The form could not be sent safely. Go back, reload the page and try again."
DENIED = "Your roles do not allow this."


@dataclass(frozen=True)
class Caller:
    actor: str
    roles: frozenset[Role]
    bank_scopes: frozenset[str] = field(default_factory=frozenset)
    # The support services a support worker acts for (keys of support_services.yaml).
    support_scopes: frozenset[str] = field(default_factory=frozenset)
    # The named person acting: a session's user, or the user an API key is bound to.
    user_id: int | None = None
    api_key_id: int | None = None
    csrf_token: str | None = None

    @property
    def person(self) -> str | None:
        """ "user:<id>" of the person acting, whether signed in or by a bound key; None for an
        unbound key (which belongs to nobody, so can never be one of two persons)."""
        return f"user:{self.user_id}" if self.user_id is not None else None

    def has_any(self, *roles: Role) -> bool:
        return Role.admin in self.roles or any(role in self.roles for role in roles)

    @property
    def is_support_worker_only(self) -> bool:
        """A support worker and nothing more: they have no staff power beyond their pages."""
        return self.roles == frozenset({Role.support_worker})

    def may_edit(self, slug: str) -> bool:
        return Role.admin in self.roles or (Role.editor in self.roles and slug in self.bank_scopes)


def _roles(names: list[str]) -> frozenset[Role]:
    # A role name no longer known (after a rename) grants nothing rather than failing.
    return frozenset(Role(name) for name in names if name in Role.__members__)


def _bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if header is None:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise NotAuthenticated(BAD_API_KEY, headers={"WWW-Authenticate": "Bearer"})
    return token.strip()


def caller_from_request(request: Request, session: Session) -> Caller | None:
    """The caller this request authenticates as, without any CSRF check; None if nobody."""
    token = _bearer_token(request)
    if token is not None:
        key = api_keys.find_active_key(session, token)
        owner = api_keys.bound_user(session, key) if key is not None else None
        if key is None or (key.user_id is not None and (owner is None or owner.disabled_at)):
            # A bad key never falls back to a cookie: the client meant to use the key. A key
            # whose user is disabled is revoked with them; this refuses it even if it was not.
            raise NotAuthenticated(BAD_API_KEY, headers={"WWW-Authenticate": "Bearer"})
        return Caller(
            actor=f"key:{key.prefix}",
            roles=_roles(key.roles),
            bank_scopes=frozenset(key.bank_scopes),
            support_scopes=frozenset(key.support_scopes),
            user_id=key.user_id,
            api_key_id=key.id,
        )
    active = sessions.session_from_request(session, request)
    if active is None or not active.signed_in:
        return None
    return Caller(
        actor=f"user:{active.user.id}",
        roles=_roles(active.user.roles),
        bank_scopes=frozenset(active.user.bank_scopes),
        support_scopes=frozenset(active.user.support_scopes),
        user_id=active.user.id,
        csrf_token=active.record.csrf_token,
    )


def authenticated_caller(request: Request, session: SessionDep) -> Caller:
    """Dependency: the authenticated caller, or 401 (no CSRF check: see current_caller)."""
    # A plain function, so FastAPI runs its queries in the thread pool, off the event loop.
    caller = caller_from_request(request, session)
    if caller is None:
        raise NotAuthenticated(NOT_AUTHENTICATED)
    return caller


async def current_caller(
    caller: Annotated[Caller, Depends(authenticated_caller)], request: Request
) -> Caller:
    """Dependency: the authenticated caller (401 if none; 403 if a session lacks its CSRF token)."""
    # Async only to read a form body for its token; it touches no database.
    if caller.csrf_token is not None and request.method not in csrf.SAFE_METHODS:
        given = await csrf.submitted_token(request)
        if not csrf.tokens_match(caller.csrf_token, given):
            raise Forbidden(BAD_CSRF)
    # Staff page layouts read it to show the sign-out form.
    request.state.staff_caller = caller
    return caller


def _path_template(request: Request) -> str:
    route = request.scope.get("route")
    return str(getattr(route, "path", "")) or "unknown"


def require_roles(*roles: Role) -> Callable[..., Caller]:
    """Dependency: the caller, if they hold any of `roles` (admin holds all); else 403."""
    if not roles:
        raise ValueError("require_roles needs at least one role; use require_staff for any.")

    def caller_with_role(
        request: Request, session: SessionDep, caller: Caller = Depends(current_caller)
    ) -> Caller:
        if caller.has_any(*roles):
            return caller
        deny(request, session, caller, required_roles=sorted(role.value for role in roles))

    return caller_with_role


def deny(
    request: Request,
    session: Session,
    caller: Caller,
    *,
    message: str = DENIED,
    **detail: Any,
) -> NoReturn:
    """Record an `access.denied` audit event, commit it, and raise 403 with `message`.

    The event names the caller's actor, the method and the route's template (never the address
    called, which may hold a case's details), with `detail` saying why: `reason=` a code, or
    `required_roles=`. Call it before the request writes anything: the commit keeps the denial,
    which the rollback on the 403 would otherwise lose, and would keep any earlier write with it.
    """
    path = _path_template(request)
    record_event(
        session,
        actor=caller.actor,
        action="access.denied",
        object_type="route",
        object_id=path,
        detail={"method": request.method, "path": path, **detail},
    )
    session.commit()
    raise Forbidden(message)


def require_staff() -> Callable[..., Caller]:
    """Dependency: any authenticated staff caller but a support worker alone (whose only
    powers are their own pages: app/handover)."""

    def any_staff(
        request: Request, session: SessionDep, caller: Caller = Depends(current_caller)
    ) -> Caller:
        if caller.is_support_worker_only:
            deny(request, session, caller, reason="support_worker_only")
        return caller

    return any_staff


def require_signed_in_support_worker() -> Callable[..., Caller]:
    """Dependency: a support worker signed in on a browser (app/handover/pages.py), never a
    key: the look-up is for a worker with the client in front of them, behind the second
    factor, and a key (even one bound to the worker) would script it with a count of its own."""

    def signed_in_worker(
        request: Request,
        session: SessionDep,
        caller: Caller = Depends(require_roles(Role.support_worker)),
    ) -> Caller:
        if caller.api_key_id is not None:
            deny(request, session, caller, reason="support_pages_need_sign_in")
        return caller

    return signed_in_worker


CRIME_GROUP_PARAM = "crime_group"
GROUP_BY_PARAM = "group_by"


def _grouped_by(request: Request) -> set[str]:
    """The dimensions of `group_by`, given comma-separated or repeated (as the services read
    it: app/reporting/cells.py)."""
    return {
        part.strip()
        for value in request.query_params.getlist(GROUP_BY_PARAM)
        for part in value.split(",")
    }


def require_aggregate_reader() -> Callable[..., Caller]:
    """Dependency: an analyst (every figure), or an editor reading one of their banks' crime
    groups (a partner: "reads that bank's aggregates under the disclosure control, and
    nothing else"). An editor must name exactly one `crime_group` in their bank scopes and may
    not group by crime group; anything else is 403 with an `access.denied` event. The figures
    themselves go through the same disclosure control as an analyst's."""

    def aggregate_reader(
        request: Request,
        session: SessionDep,
        caller: Caller = Depends(require_roles(Role.analyst, Role.editor)),
    ) -> Caller:
        if caller.has_any(Role.analyst):
            return caller
        groups = request.query_params.getlist(CRIME_GROUP_PARAM)
        if len(groups) != 1 or groups[0] not in caller.bank_scopes:
            deny(request, session, caller, reason="crime_group_not_in_bank_scope")
        if CRIME_GROUP_PARAM in _grouped_by(request):
            deny(request, session, caller, reason="group_by_crime_group")
        return caller

    return aggregate_reader


# The one style a route asks for its caller in: a parameter typed with one of these, e.g.
# `caller: AnalystDep`. A route open to several roles types it
# `Annotated[Caller, Depends(require_roles(Role.a, Role.b))]`.
CallerDep = Annotated[Caller, Depends(current_caller)]
StaffDep = Annotated[Caller, Depends(require_staff())]
AnalystDep = Annotated[Caller, Depends(require_roles(Role.analyst))]
ApproverDep = Annotated[Caller, Depends(require_roles(Role.approver))]
EditorDep = Annotated[Caller, Depends(require_roles(Role.editor))]
UploaderDep = Annotated[Caller, Depends(require_roles(Role.uploader))]
VictimsTeamDep = Annotated[Caller, Depends(require_roles(Role.victims_team))]
SupportWorkerDep = Annotated[Caller, Depends(require_signed_in_support_worker())]
# Analysts, and editors for one crime group of their banks (the aggregates of a metric and
# the Victims' Code view).
AggregateReaderDep = Annotated[Caller, Depends(require_aggregate_reader())]
