"""Who am I: the calling key's id, name, role and what that role may do (the web UI hides the rest)."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from api.auth import PERMISSIONS, CurrentPrincipal
from api.routes.errors import COMMON

router = APIRouter(prefix="/api/v1", tags=["keys"], responses=COMMON)


class Me(BaseModel):
    key_id: int
    name: str
    role: str
    permissions: list[str] = Field(description="The permissions of api.auth.PERMISSIONS this role has.")


def permissions_of(role: str) -> list[str]:
    """Sorted permission names for ``role`` (admin has them all)."""
    return sorted(name for name, roles in PERMISSIONS.items() if role == "admin" or role in roles)


@router.get("/me", response_model=Me, summary="The calling API key: its role and permissions")
def get_me(principal: CurrentPrincipal) -> Me:
    return Me(
        key_id=principal.key_id,
        name=principal.name,
        role=principal.role,
        permissions=permissions_of(principal.role),
    )
