"""Result rows, the Markdown table, and the JSON document."""

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from .stats import Summary


@dataclass(frozen=True, slots=True)
class Target:
    """A goal on the median: of the ratio when `on` is "ratio", else of the value."""

    op: Literal[">=", "<"]
    threshold: float
    on: Literal["ratio", "value"] = "value"

    def met(self, row: "Row") -> bool | None:
        summary = row.ratio if self.on == "ratio" else row.value
        if summary is None or math.isnan(summary.median):
            return None
        if self.op == ">=":
            return summary.median >= self.threshold
        return summary.median < self.threshold

    def text(self, unit: str) -> str:
        if self.on == "ratio":
            return f"{self.op} {self.threshold:.2f}x"
        return f"{self.op} {_number(self.threshold, unit)} {unit}".rstrip()


@dataclass(slots=True)
class Row:
    group: str
    case: str
    measure: str
    unit: str = ""
    value: Summary | None = None
    versus: str | None = None
    ratio: Summary | None = None
    target: Target | None = None
    unavailable: str | None = None
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def verdict(self) -> str:
        if self.unavailable is not None:
            return f"unavailable: {self.unavailable}"
        if self.target is None:
            return "info"
        met = self.target.met(self)
        if met is None:
            return "n/a"
        return "PASS" if met else "MISS"

    def as_dict(self) -> dict[str, Any]:
        return {
            "group": self.group,
            "case": self.case,
            "measure": self.measure,
            "unit": self.unit,
            "value": self.value.as_dict() if self.value else None,
            "versus": self.versus,
            "ratio": self.ratio.as_dict() if self.ratio else None,
            "target": self.target.text(self.unit) if self.target else None,
            "verdict": self.verdict,
            "note": self.note,
            "extra": self.extra,
        }


def unavailable(group: str, case: str, reason: str) -> Row:
    return Row(group, case, "-", unavailable=_one_line(reason))


HEADER = ("Group", "Case", "Measure", "Median", "Range", "Ratio (range)", "Target", "Result")


def table(rows: list[Row]) -> str:
    """A Markdown table: readable in a terminal, pasteable into BENCHMARKS.md."""
    lines = [_cells(HEADER), _cells(tuple("---" for _ in HEADER))]
    for row in rows:
        value = row.value
        ratio = ""
        if row.ratio is not None:
            ratio = (
                f"{row.ratio.median:.2f}x ({row.ratio.low:.2f}..{row.ratio.high:.2f})"
                f" vs {row.versus}"
            )
        lines.append(
            _cells(
                (
                    row.group,
                    row.case,
                    f"{row.measure} ({row.unit})" if row.unit else row.measure,
                    _number(value.median, row.unit) if value else "",
                    f"{_number(value.low, row.unit)}..{_number(value.high, row.unit)}"
                    if value
                    else "",
                    ratio,
                    row.target.text(row.unit) if row.target else "",
                    row.verdict + (f"; {row.note}" if row.note else ""),
                )
            )
        )
    return "\n".join(lines)


def write_json(
    path: Path, machine: dict[str, Any], config: dict[str, Any], rows: list[Row]
) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "machine": machine,
        "config": config,
        "results": [row.as_dict() for row in rows],
    }
    path.write_text(json.dumps(document, indent=2, default=str) + "\n")


def _cells(cells: tuple[str, ...]) -> str:
    return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"


def _number(value: float, unit: str) -> str:
    if math.isnan(value):
        return "nan"
    if unit in ("ms", "s", "µs", "%") or abs(value) < 100:
        return f"{value:,.2f}" if abs(value) < 1000 else f"{value:,.0f}"
    return f"{value:,.0f}"


def _one_line(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 200 else text[:197] + "..."
