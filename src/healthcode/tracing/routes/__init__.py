"""The tracing API: cases, risk areas, quarantines, and what tracing found about the calling
citizen."""

from __future__ import annotations

from fastapi import APIRouter

from healthcode.tracing.routes import cases, quarantines, risk_areas

router = APIRouter()
router.include_router(cases.router)
router.include_router(risk_areas.router)
router.include_router(quarantines.router)
