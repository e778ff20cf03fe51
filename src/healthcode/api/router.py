"""Everything the API serves, for the app factory to include."""

from __future__ import annotations

from fastapi import APIRouter

from healthcode.api.routes import (
    citizens,
    codes,
    logins,
    officials,
    presence,
    status,
    tracing,
    venues,
)

router = APIRouter()
router.include_router(citizens.router)
router.include_router(status.router)
router.include_router(codes.router)
router.include_router(logins.router)
router.include_router(officials.router)
router.include_router(presence.router)
router.include_router(venues.router)
router.include_router(tracing.router)
