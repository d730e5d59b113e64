"""The values a template send or preview fills `{{1}}`, `{{2}}`... with. Its own module: the send
function needs it without the rest of the templates contract."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

from wachannel.api.common import RequestModel
from wachannel.domain.template_rendering import TemplateValues

ParameterValue = Annotated[str, StringConstraints(max_length=2000)]


class TemplateParameters(RequestModel):
    """Values for `{{1}}`, `{{2}}`...: literals or dynamic variables such as `{{contact.first_name}}`."""

    header: list[ParameterValue] = Field(default_factory=list, max_length=1)
    body: list[ParameterValue] = Field(default_factory=list, max_length=100)
    buttons: list[list[ParameterValue]] = Field(default_factory=list, max_length=10)

    def values(self) -> TemplateValues:
        return TemplateValues(header=self.header, body=self.body, buttons=self.buttons)
