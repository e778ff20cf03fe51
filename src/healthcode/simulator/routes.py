"""The simulator's reports over HTTP for the console (``/console/simulations``): simulated
quantities only, no one's data; read by those who read the dashboard."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path

from healthcode.api.auth import Authorized
from healthcode.api.deps import ContainerDep
from healthcode.oversight.access import Action, Principal
from healthcode.simulator.reports import SHA256, list_reports, measurements_of, read_report
from healthcode.simulator.schemas import (
    MeasuredOut,
    MeasuredRunOut,
    SimulationEntryOut,
    SimulationOut,
    SimulationsOut,
)

router = APIRouter(prefix="/api/v1", tags=["console"])

ReadsDashboard = Annotated[Principal, Depends(Authorized(Action.READ_DASHBOARD))]


@router.get("/simulations", response_model=SimulationsOut)
def simulations(_principal: ReadsDashboard, container: ContainerDep) -> SimulationsOut:
    """The simulator's reports in the instance's folder of reports
    (``HEALTHCODE_SIMULATION_REPORTS_DIR``), newest first: each written by
    ``healthcode simulate run|compare --report DIR/NAME``."""
    folder = container.settings.simulation_reports_dir
    return SimulationsOut(
        configured=folder is not None,
        reports=[SimulationEntryOut.of(e) for e in list_reports(folder=folder)],
    )


@router.get("/simulations/measured/{sha256}", response_model=MeasuredOut)
def measured(
    _principal: ReadsDashboard,
    container: ContainerDep,
    sha256: Annotated[
        str,
        Path(
            pattern=f"^{SHA256.pattern}$",
            description="A policy text's SHA-256 (`sha256` of a policy check or proposal)",
        ),
    ],
) -> MeasuredOut:
    """The simulator's runs of exactly this policy text in the instance's reports, newest
    first, each with the report's headline measures: what an official approving the text is
    shown (DESIGN: exposure rules are measured in a simulator before use). None: never
    measured."""
    folder = container.settings.simulation_reports_dir
    return MeasuredOut(
        sha256=sha256,
        configured=folder is not None,
        runs=[MeasuredRunOut.of(m) for m in measurements_of(folder=folder, sha256=sha256)],
    )


@router.get("/simulations/{name}", response_model=SimulationOut)
def simulation(
    _principal: ReadsDashboard,
    container: ContainerDep,
    name: Annotated[str, Path(max_length=100, description="The report's folder name")],
) -> SimulationOut:
    """One report: the side-by-side table of the policies' measures and the plots of
    infections and restrictions over time (PNG, base64); 404 if there is no such report."""
    report = read_report(folder=container.settings.simulation_reports_dir, name=name)
    return SimulationOut.of_report(report)
