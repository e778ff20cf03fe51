"""The simulator's reports as the console reads them (``GET /api/v1/simulations``)."""

from __future__ import annotations

import base64
from datetime import datetime

from pydantic import BaseModel, Field

from healthcode.simulator.reports import Measurement, Report, ReportEntry, Row


class SimulationEntryOut(BaseModel):
    name: str = Field(description="The report's folder in the configured folder of reports")
    written_at: datetime = Field(description="When its measures were written")
    policies: list[str] = Field(description="The policy of each run, in the table's order")
    population: int
    days: int
    seed: int

    @classmethod
    def of(cls, entry: ReportEntry) -> SimulationEntryOut:
        return cls(
            name=entry.name,
            written_at=entry.written_at,
            policies=list(entry.policies),
            population=entry.population,
            days=entry.days,
            seed=entry.seed,
        )


class SimulationsOut(BaseModel):
    configured: bool = Field(description="Whether the instance has a folder of reports")
    reports: list[SimulationEntryOut] = Field(description="Newest first")


class SimulationRowOut(BaseModel):
    key: str
    label: str
    values: list[float | int | None] = Field(description="One a policy; null: not measured")
    shown: list[str] = Field(description="The values as the report's table shows them")


class SimulationPlotOut(BaseModel):
    name: str
    title: str
    png_base64: str | None = Field(description="The PNG the command drew; null if missing")


def _rows(rows: tuple[Row, ...]) -> list[SimulationRowOut]:
    return [
        SimulationRowOut(key=r.key, label=r.label, values=list(r.values), shown=list(r.shown))
        for r in rows
    ]


class SimulationOut(SimulationEntryOut):
    rows: list[SimulationRowOut]
    plots: list[SimulationPlotOut]

    @classmethod
    def of_report(cls, report: Report) -> SimulationOut:
        return cls(
            **SimulationEntryOut.of(report.entry).model_dump(),
            rows=_rows(report.rows),
            plots=[
                SimulationPlotOut(
                    name=name,
                    title=title,
                    png_base64=None if png is None else base64.b64encode(png).decode("ascii"),
                )
                for name, title, png in report.plots
            ],
        )


class MeasuredRunOut(BaseModel):
    report: SimulationEntryOut = Field(description="The report the run is in")
    policy: str = Field(description="The run's policy, as the report names it")
    rows: list[SimulationRowOut] = Field(description="The report's rows, one value each")

    @classmethod
    def of(cls, measurement: Measurement) -> MeasuredRunOut:
        return cls(
            report=SimulationEntryOut.of(measurement.report),
            policy=measurement.policy,
            rows=_rows(measurement.rows),
        )


class MeasuredOut(BaseModel):
    sha256: str = Field(description="The policy text's SHA-256")
    configured: bool = Field(description="Whether the instance has a folder of reports")
    runs: list[MeasuredRunOut] = Field(
        description="The simulator's runs of exactly this text, newest report first; none: "
        "the text was never measured in the simulated city"
    )
