"""The benches' tables: columns as wide as their widest cell, a rule under the headers."""

from __future__ import annotations


def print_table(headers: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(row[column]) for row in [headers, *rows]) for column in range(len(headers))]
    for row in [headers, ["-" * width for width in widths], *rows]:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
