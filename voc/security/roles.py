"""The four roles. ``admin`` may do everything; what the others may do is decided per route in api/auth.py."""

from __future__ import annotations

from typing import Literal

Role = Literal["supervisor", "analyst", "integration", "admin"]

ROLES: tuple[Role, ...] = ("supervisor", "analyst", "integration", "admin")

ROLE_DESCRIPTIONS: dict[Role, str] = {
    "supervisor": "upload recordings, read calls",
    "analyst": "read everything, feedback on signals, rename topics",
    "integration": "CRM systems: write customers, read signals and the at-risk list",
    "admin": "everything, including keys, webhooks, deletion and the audit log",
}


def check_role(role: str) -> Role:
    for known in ROLES:
        if role == known:
            return known
    raise ValueError(f"unknown role {role!r} (one of: {', '.join(ROLES)})")
