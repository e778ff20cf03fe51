"""Picks the language of texts from Accept-Language (zh or en), else the instance default."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header

from healthcode.api.deps import ContainerDep

SUPPORTED = ("zh", "en")


def pick_language(header: str | None, default: str) -> str:
    """The supported language the header ranks highest (q-values honoured)."""
    if not header:
        return default
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in SUPPORTED and quality > 0:
            ranked.append((-quality, position, primary))
    return min(ranked)[2] if ranked else default


async def language(
    container: ContainerDep,
    accept_language: Annotated[str | None, Header()] = None,
) -> str:
    return pick_language(accept_language, container.settings.language)


Language = Annotated[str, Depends(language)]
