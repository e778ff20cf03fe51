"""`healthcode case|trace|risk-area|quarantine`: cases, tracing previews, risk areas and
quarantine orders, each change by four eyes."""

from __future__ import annotations

from healthcode.cli.table import CommandTable
from healthcode.tracing.commands.areas import quarantine_app, risk_area_app
from healthcode.tracing.commands.cases import case_app, trace_app

COMMANDS: CommandTable = (
    ("case", case_app),
    ("trace", trace_app),
    ("risk-area", risk_area_app),
    ("quarantine", quarantine_app),
)
