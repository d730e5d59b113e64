"""Reading `multipart/form-data` bodies with the standard library (Starlette's own parser needs
python-multipart, which the project does not depend on).

Files reach 100 MB: the body is searched as bytes and each part copied out once, never decoded to text.
"""

from dataclasses import dataclass
from email.message import Message
from email.parser import BytesHeaderParser
from email.utils import collapse_rfc2231_value


class MalformedForm(ValueError):
    pass


@dataclass(frozen=True)
class FormPart:
    name: str
    filename: str | None
    content_type: str | None
    content: bytes


def form_boundary(content_type: str) -> bytes:
    header = Message()
    header["Content-Type"] = content_type
    boundary = header.get_param("boundary")
    if header.get_content_type() != "multipart/form-data" or not isinstance(boundary, str) or not boundary:
        raise MalformedForm("the body must be multipart/form-data with a boundary")
    return boundary.encode("latin-1")


def form_part(body: bytes, start: int, end: int) -> FormPart:
    """The part between `start` and `end` of the body; only its content is copied."""
    headers_end = body.find(b"\r\n\r\n", start, end)
    if headers_end < 0:
        raise MalformedForm("a form part has no header block")
    headers = BytesHeaderParser().parsebytes(body[start:headers_end])
    name = headers.get_param("name", header="content-disposition")
    if name is None:
        raise MalformedForm("a form part has no name in its Content-Disposition")
    return FormPart(
        name=collapse_rfc2231_value(name),
        filename=headers.get_filename(),
        content_type=headers.get("content-type"),
        content=body[headers_end + 4 : end],
    )


def form_parts(body: bytes, content_type: str) -> dict[str, FormPart]:
    """The parts by name; of a name given twice, the last."""
    delimiter = b"--" + form_boundary(content_type)
    start = body.find(delimiter)
    if start < 0:
        raise MalformedForm("the body holds no part")
    parts: dict[str, FormPart] = {}
    start += len(delimiter)
    while not body.startswith(b"--", start):
        if not body.startswith(b"\r\n", start):
            raise MalformedForm("a boundary is not followed by a line break")
        end = body.find(b"\r\n" + delimiter, start)
        if end < 0:
            raise MalformedForm("the body does not end with a closing boundary")
        part = form_part(body, start + 2, end)
        parts[part.name] = part
        start = end + 2 + len(delimiter)
    return parts
