"""`healthcode org|venue|device|checkin|ride|scan|locations|geo|itinerary|retention`: where
people were, from venues and their devices to location pings, and how long it is kept."""

from __future__ import annotations

from healthcode.cli.table import CommandTable
from healthcode.presence.commands.locations import geo_app, itinerary, locations_app
from healthcode.presence.commands.retention import retention_app
from healthcode.presence.commands.scan import scan_app
from healthcode.presence.commands.venues import checkin_app, device_app, org_app, ride, venue_app

COMMANDS: CommandTable = (
    ("org", org_app),
    ("venue", venue_app),
    ("device", device_app),
    ("checkin", checkin_app),
    ("ride", ride),
    ("scan", scan_app),
    ("locations", locations_app),
    ("geo", geo_app),
    ("itinerary", itinerary),
    ("retention", retention_app),
)
