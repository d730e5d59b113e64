"""A 360dialog simulator (Messaging API of both generations, Partner API, admin API) for the local stack."""

from infra.local.simulator.app import create_app
from infra.local.simulator.models import SimulatedNumber
from infra.local.simulator.state import SimulatorState

__all__ = ["SimulatedNumber", "SimulatorState", "create_app"]
