"""The identity API: registration and a citizen's own profile and access log, logins (website,
officials, channels), and administration of officials, channels and people."""

from __future__ import annotations

from fastapi import APIRouter

from healthcode.identity.routes import admin, citizens, logins

router = APIRouter()
router.include_router(citizens.router)
router.include_router(logins.router)
router.include_router(admin.router)
