"""A report as CSV: section, figure, label, count (small numbers as "fewer than 5")."""

from __future__ import annotations

import csv
import io

from hub.csv_cells import safe_cell
from reports.schemas import Report

HEADER = ["section", "figure", "label", "count"]


def report_csv(report: Report, only: str = "") -> str:
    """Every figure's rows (or one figure's, by key), and the statements; never a name or id."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for section in report.sections:
        for figure in section.figures:
            if only and figure.key != only:
                continue
            for row in figure.rows:
                writer.writerow(
                    [
                        safe_cell(section.title),
                        safe_cell(figure.title),
                        safe_cell(row.label),
                        row.shown,
                    ]
                )
        if not only:
            for statement in section.statements:
                writer.writerow(
                    [
                        safe_cell(section.title),
                        safe_cell(section.statements_title),
                        safe_cell(statement.label),
                        safe_cell(statement.value),
                    ]
                )
    return out.getvalue()
