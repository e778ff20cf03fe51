"""The options command groups share, defined once: `--json`, `--at`, `--as`, `--break-glass`
and `--note`.

Their text passes the text rule when the command is mounted (``cli.table``: NFC, no surrogate,
control or bidirectional control character), then the rule of its kind in the use case
(``--as`` an identifier, ``--note`` multi-line text); ``--at`` must lie in the range of
``kernel.times`` (``cli.output.parse_time``)."""

from __future__ import annotations

from typing import Annotated

import typer

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for machines.")]
AtOpt = Annotated[
    str | None,
    typer.Option("--at", help="Act or record as at this ISO 8601 time (with a zone)."),
]
AsOpt = Annotated[
    str, typer.Option("--as", help="Username of the official acting (recorded; four eyes).")
]
NoteOpt = Annotated[str, typer.Option(help="A note kept with the decision.")]
ReaderOpt = Annotated[
    str | None,
    typer.Option(
        "--as",
        help="Username of the official reading (their `healthcode login` session; recorded).",
    ),
]
BreakGlassOpt = Annotated[
    str | None,
    typer.Option(
        "--break-glass",
        help="Instead of --as: the operator holding the data key reads, for this reason "
        "(recorded as a break-glass read, counted in the transparency report).",
    ),
]
