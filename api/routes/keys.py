"""API keys (admin): create (the secret is shown once), list, revoke."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Path, Request
from pydantic import BaseModel, Field

from api.auth import allow
from api.deps import RuntimeDep, SessionDep
from api.routes.errors import COMMON, MAX_DB_INT, problems
from voc.db.security import ApiKeyPublic
from voc.security.keys import Principal, list_keys
from voc.security.roles import Role
from voc.services.keys import issue_key, withdraw_key

router = APIRouter(prefix="/api/v1/keys", tags=["keys"], responses=COMMON)


class KeyCreate(BaseModel):
    role: Role
    name: str | None = Field(default=None, min_length=1, max_length=128)


class KeyCreated(ApiKeyPublic):
    secret: str = Field(description="The key itself. Shown only now: store it, it cannot be shown again.")


def _public(key: object) -> ApiKeyPublic:
    return ApiKeyPublic.model_validate(key, from_attributes=True)


@router.get("", response_model=list[ApiKeyPublic], summary="List API keys (never their secrets)")
def get_keys(session: SessionDep, _: Annotated[Principal, allow("keys.manage")]) -> list[ApiKeyPublic]:
    return [_public(k) for k in list_keys(session)]


@router.post("", status_code=201, response_model=KeyCreated, summary="Create an API key")
def post_key(
    body: Annotated[
        KeyCreate,
        Body(
            openapi_examples={
                "crm": {
                    "summary": "A CRM integration",
                    "value": {"role": "integration", "name": "salesforce"},
                }
            }
        ),
    ],
    request: Request,
    session: SessionDep,
    principal: Annotated[Principal, allow("keys.manage")],
) -> KeyCreated:
    key, secret = issue_key(
        session, body.role, body.name, actor=principal, ip=request.client.host if request.client else None
    )
    session.commit()
    return KeyCreated(**_public(key).model_dump(), secret=secret)


@router.delete(
    "/{key_id}",
    response_model=ApiKeyPublic,
    summary="Revoke an API key (kept, marked revoked, for the audit trail)",
    responses=problems(404, 409),
)
def delete_key(
    key_id: Annotated[int, Path(ge=1, le=MAX_DB_INT)],
    request: Request,
    session: SessionDep,
    rt: RuntimeDep,
    principal: Annotated[Principal, allow("keys.manage")],
) -> ApiKeyPublic:
    ip = request.client.host if request.client else None
    # This process's key cache forgets the key at once (the other processes' within their TTL).
    key = withdraw_key(session, key_id, actor=principal, ip=ip, cache=rt.key_cache)
    session.commit()
    return _public(key)
