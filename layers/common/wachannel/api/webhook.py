"""The webhook's answer to 360dialog."""

from __future__ import annotations

from wachannel.models import Model


class DeliveryAccepted(Model):
    received: int
