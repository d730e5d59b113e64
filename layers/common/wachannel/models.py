"""The base of the layer's pydantic models."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Model(BaseModel):
    """Schemas are built on first use, not at import: a cold start then pays only for the models its
    request touches (each route uses two or three of the dozens the layer defines)."""

    model_config = ConfigDict(defer_build=True)
