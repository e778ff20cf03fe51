"""The presence API: where a citizen was (check-ins, rides, pings, itinerary, employers), and
venues, devices, scan uploads, staff checks and check-in review; visitors' check-ins."""

from __future__ import annotations

from fastapi import APIRouter

from healthcode.presence.routes import citizens, venues, visitors

router = APIRouter()
router.include_router(citizens.router)
router.include_router(venues.router)
router.include_router(visitors.router)
