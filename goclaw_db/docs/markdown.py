"""Markdown pieces the page templates share: inline code, table cells, links."""

from __future__ import annotations


def cell(text: str) -> str:
    """Text made safe for a Markdown table cell."""
    return " ".join(str(text).split()).replace("|", "\\|")


def code(text: str) -> str:
    text = " ".join(str(text).split())
    fence = "``" if "`" in text else "`"
    pad = " " if "`" in text else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def table(header: list[str], rows: list[list[str]]) -> str:
    """A Markdown table, or "None." when there are no rows."""
    if not rows:
        return "None."
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def page(table_name: str) -> str:
    return f"{table_name}.md"


def link(table_name: str) -> str:
    return f"[{table_name}]({page(table_name)})"
