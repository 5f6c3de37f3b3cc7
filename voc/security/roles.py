"""The four roles. ``admin`` may do everything; what the others may do is decided per route in api/auth.py."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """A key's role, written as its value everywhere (keys table, audit log, JSON, ``--role``)."""

    SUPERVISOR = "supervisor"
    ANALYST = "analyst"
    INTEGRATION = "integration"
    ADMIN = "admin"


ROLES: tuple[Role, ...] = tuple(Role)

ROLE_DESCRIPTIONS: dict[Role, str] = {
    Role.SUPERVISOR: "upload recordings, read calls",
    Role.ANALYST: "read everything, feedback on signals, rename topics",
    Role.INTEGRATION: "CRM systems: write customers, read signals and the at-risk list",
    Role.ADMIN: "everything, including keys, webhooks, deletion and the audit log",
}


def check_role(role: str) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise ValueError(f"unknown role {role!r} (one of: {', '.join(ROLES)})") from None
