"""The web pages: each face's routes, all left out of the OpenAPI document (they answer HTML
for everyone; a page reads a person's data only through the API, with the caller's own
credentials)."""

from __future__ import annotations

from fastapi import APIRouter

from healthcode.web.routes import (
    checkpoint,
    citizen,
    console,
    console_admin,
    console_cases,
    console_simulations,
    docs,
    rules,
    start,
    transparency,
    visit,
)

router = APIRouter(include_in_schema=False)
router.include_router(start.router)
router.include_router(docs.router)
router.include_router(citizen.router)
router.include_router(transparency.router)
router.include_router(rules.router)
router.include_router(visit.router)
router.include_router(console.router)
router.include_router(console_cases.router)
router.include_router(checkpoint.router)
router.include_router(console_admin.router)
router.include_router(console_simulations.router)
