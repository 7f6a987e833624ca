"""The join-source report of the growth page: new members per source (包裹卡, store QR,
official-account menu, referral, import…) over a chosen range, as stacked bars per day or week
and as a table per source and campaign, with a CSV export of the table.

The figures are one call of ``dashboard.joins.join_report`` — the function behind
``GET /api/v1/dashboard/joins`` — so the page and the API cannot disagree; the range and
bucket follow the overview's trends (30 / 90 / 365 days, a year by week). The folding and the
chart are plain functions, testable without a browser."""

from collections import defaultdict
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from nicegui import ui

from memberops.console.formatting import BLANK, number, percent
from memberops.console.i18n import Translate
from memberops.console.pages.loyalty.forms import empty_state, section_title, table
from memberops.console.pages.overview import RANGES, bucket_for, range_toggle
from memberops.console.pages.shell import transaction
from memberops.console.viewer import Viewer
from memberops.dashboard.joins import JoinReport, join_report
from memberops.dashboard.periods import periods
from memberops.growth.models import JoinSource
from memberops.kernel import clock
from memberops.kernel.spreadsheet import BOM, csv_text

#: Columns of the table and of the export; labels are ``growth.col.<name>``.
COLUMNS = ("source", "campaign", "registrations", "bought", "rate")
#: Right-aligned columns (counts and rates).
NUMERIC = ("registrations", "bought", "rate")
#: One colour per source, so a source keeps its colour whatever else is in the range.
SOURCE_COLOURS = {
    JoinSource.parcel_card: "#d97706",
    JoinSource.store_qr: "#0891b2",
    JoinSource.official_account_menu: "#16a34a",
    JoinSource.referral: "#7c3aed",
    JoinSource.import_: "#94a3b8",
    JoinSource.api: "#1d4ed8",
}
_GRID = {"left": 8, "right": 24, "top": 36, "bottom": 8, "containLabel": True}


@dataclass(frozen=True)
class SourceLine:
    """One source and campaign over the whole range: its registrations and the buyers among
    them."""

    source: JoinSource
    campaign: str
    registrations: int
    bought: int

    @property
    def rate(self) -> float | None:
        return self.bought / self.registrations if self.registrations else None


def source_lines(report: JoinReport) -> list[SourceLine]:
    """The report's rows summed over its periods per source and campaign, most registrations
    first (then source and campaign, so the order is stable)."""
    sums: dict[tuple[JoinSource, str], list[int]] = defaultdict(lambda: [0, 0])
    for row in report.rows:
        found = sums[(row.source, row.campaign)]
        found[0] += row.registrations
        found[1] += row.bought
    lines = [SourceLine(s, c, n, b) for (s, c), (n, b) in sums.items()]
    return sorted(lines, key=lambda line: (-line.registrations, line.source, line.campaign))


def cells(line: SourceLine, t: Translate) -> dict[str, str]:
    """A line as the table and the export write it."""
    return {
        "source": t(f"growth.source.{line.source.value}"),
        "campaign": line.campaign or BLANK,
        "registrations": number(line.registrations),
        "bought": number(line.bought),
        "rate": percent(line.rate),
    }


def joins_csv(lines: list[SourceLine], t: Translate) -> bytes:
    """The table as CSV with a BOM, so Excel opens the Chinese headers correctly."""
    header = [t(f"growth.col.{name}") for name in COLUMNS]
    rows = [[cells(line, t)[name] for name in COLUMNS] for line in lines]
    return (BOM + csv_text([header, *rows])).encode("utf-8")


def chart(report: JoinReport, timezone: str, t: Translate) -> dict[str, Any]:
    """Registrations per period stacked by source, every period of the range on the axis (the
    report leaves out periods without a registration) and one series per source present."""
    days = [p.first_day for p in periods(clock.now(), timezone, report.days, report.bucket)]
    index = {day: n for n, day in enumerate(days)}
    counts: dict[JoinSource, list[int]] = {}
    for row in report.rows:
        series = counts.setdefault(row.source, [0] * len(days))
        if row.period in index:
            series[index[row.period]] += row.registrations
    return {
        "grid": _GRID,
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 0},
        "xAxis": {"type": "category", "data": [day.strftime("%m-%d") for day in days]},
        "yAxis": {
            "type": "value",
            "minInterval": 1,
            "splitLine": {"lineStyle": {"type": "dashed"}},
        },
        "series": [
            {
                "name": t(f"growth.source.{source.value}"),
                "type": "bar",
                "stack": "joins",
                "barMaxWidth": 14,
                "color": SOURCE_COLOURS[source],
                "data": counts[source],
            }
            for source in JoinSource
            if source in counts
        ],
    }


class JoinsView:
    """The report of one tenant; the range toggle reads it again and redraws it."""

    def __init__(self, viewer: Viewer) -> None:
        self.viewer = viewer
        self.days = RANGES[0]
        self.lines: list[SourceLine] = []

    def _pick(self, days: int) -> None:
        self.days = days
        self.show.refresh()

    def _export(self) -> None:
        """Download the table as shown (the chosen range, per source and campaign)."""
        local = clock.now().astimezone(ZoneInfo(self.viewer.principal.timezone))
        name = f"joins-{self.days}d-{local.strftime('%Y%m%d-%H%M%S')}.csv"
        ui.download.content(joins_csv(self.lines, self.viewer.t), name, "text/csv")

    def _toolbar(self) -> None:
        t = self.viewer.t
        with ui.row().classes("w-full items-center gap-2"):
            section_title(t("growth.joins"))
            ui.space()
            range_toggle(self.viewer, self.days, self._pick)
            export = ui.button(t("growth.export"), icon="download", on_click=self._export)
            export.props("outline no-caps color=primary").set_enabled(bool(self.lines))

    @ui.refreshable_method
    def show(self) -> None:
        t, principal = self.viewer.t, self.viewer.principal
        with transaction() as session:
            report = join_report(session, principal, self.days, bucket_for(self.days))
        self.lines = source_lines(report)
        with ui.card().classes("w-full shadow-sm gap-3"):
            self._toolbar()
            if not self.lines:
                empty_state("person_add_disabled", t("growth.joins_empty", days=self.days))
                return
            total = sum(line.registrations for line in self.lines)
            bought = sum(line.bought for line in self.lines)
            ui.label(t("growth.joins_total", count=number(total), bought=number(bought))).classes(
                "text-sm text-slate-500"
            ).props("data-figure=joins_total")
            ui.label(t("growth.chart", bucket=t(f"bucket.{report.bucket.value}"))).classes(
                "text-sm font-medium text-slate-600"
            )
            ui.echart(chart(report, principal.timezone, t)).classes("w-full h-64")
            self._table()

    def _table(self) -> None:
        t = self.viewer.t
        columns = [(name, t(f"growth.col.{name}")) for name in COLUMNS]
        rows = [
            {"key": f"{line.source.value}:{line.campaign}", **cells(line, t)} for line in self.lines
        ]
        table(columns, rows, key="key", numeric=NUMERIC).props("data-table=joins")
