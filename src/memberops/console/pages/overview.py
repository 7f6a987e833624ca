"""The overview (数据大屏, SPEC §9): seed 003's figures as cards, buyers → active / dormant →
interested as bars, and trends of net sales and new members. The console's landing page.

Every figure comes from one call of ``dashboard.service.overview`` — the same figures
``GET /api/v1/dashboard/overview`` answers — so the page and the API cannot disagree.
"""

from collections.abc import Callable

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import ui

from memberops.console import charts
from memberops.console.charts import FIGURE_COLOURS
from memberops.console.formatting import number, percent, yuan
from memberops.console.pages.shell import content, current_viewer, frame, to_login, transaction
from memberops.console.viewer import Viewer
from memberops.dashboard import service
from memberops.dashboard.periods import Bucket
from memberops.dashboard.schemas import Overview, Side, Trend
from memberops.tenancy.access import Permission

#: Trend ranges offered (local days); a year is drawn by week so the line stays readable.
RANGES = (30, 90, 365)


def bucket_for(days: int) -> Bucket:
    """A range longer than 90 days is drawn by week, so the line stays readable."""
    return Bucket.week if days > 90 else Bucket.day


def range_toggle(viewer: Viewer, days: int, pick: Callable[[int], None]) -> None:
    """The 30 / 90 / 365-day switch of a trend, calling ``pick`` with the days chosen."""
    ui.toggle(
        {choice: viewer.t("range.days", days=choice) for choice in RANGES},
        value=days,
        on_change=lambda e: pick(int(e.value)),
    ).props("no-caps unelevated dense toggle-color=primary color=white text-color=grey-8")


class OverviewView:
    """The overview of one tenant; the range toggle redraws only the trends."""

    def __init__(self, viewer: Viewer) -> None:
        self.viewer = viewer
        self.days = service.DEFAULT_DAYS
        self.trend: Trend | None = None

    def show(self) -> None:
        t = self.viewer.t
        with transaction() as session:
            overview = service.overview(
                session, self.viewer.principal, self.days, bucket_for(self.days)
            )
        self.trend = overview.trend
        with ui.row().classes("w-full items-end gap-3"):
            ui.label(t("overview.title")).classes("text-2xl font-semibold text-slate-800")
            ui.label(t("overview.as_of", at=self.viewer.when(overview.as_of))).classes(
                "text-sm text-slate-500 pb-1"
            )
        if not overview.has_orders:
            self._empty()
            return
        self._figures(overview)
        self._middle(overview)
        self.trends()

    def _empty(self) -> None:
        with ui.card().classes("w-full items-center py-16 gap-3 shadow-none border"):
            ui.icon("insights", size="3rem").classes("text-slate-300")
            ui.label(self.viewer.t("overview.empty")).classes("text-slate-500")

    def _labelled(self, key: str, value: str, hint: str, colour: str = "#334155") -> None:
        with (
            ui.card().classes("shadow-sm gap-0 px-5 py-3").style(f"border-top: 3px solid {colour}")
        ):
            ui.label(self.viewer.t(f"figure.{key}")).classes("text-sm text-slate-500")
            ui.label(value).classes("text-3xl font-semibold text-slate-800 tabular-nums").props(
                f"data-figure={key}"
            )
            ui.label(hint).classes("text-xs text-slate-400")

    def _figures(self, o: Overview) -> None:
        t, b, i = self.viewer.t, o.buyers, o.interest
        cards = [
            ("buyers_365d", b.buyers_365d, t("hint.buyers_365d")),
            ("active_30d", b.active_30d, t("hint.active_30d")),
            ("dormant", b.dormant, t("hint.dormant")),
            ("interested_30d", i.interested_30d, t("hint.interested_30d", n=i.prospects_30d)),
            ("shop_favourites_30d", i.shop_favourites_30d, t("hint.last_30d")),
            ("item_favourites_30d", i.item_favourites_30d, t("hint.last_30d")),
            ("cart_adders_30d", i.cart_adders_30d, t("hint.last_30d")),
        ]
        with ui.element("div").classes("grid grid-cols-4 gap-4 w-full"):
            for key, value, hint in cards:
                self._labelled(key, number(value), hint, FIGURE_COLOURS.get(key, "#cbd5e1"))
            rate = t("hint.repurchase", n=number(b.repeat_buyers_365d))
            self._labelled("repurchase_rate", percent(b.repurchase_rate), rate, "#7c3aed")

    def _middle(self, o: Overview) -> None:
        t = self.viewer.t
        with ui.element("div").classes("grid grid-cols-3 gap-4 w-full"):
            with ui.card().classes("col-span-2 shadow-sm gap-1"):
                ui.label(t("chart.funnel")).classes("text-base font-semibold text-slate-700")
                ui.echart(charts.funnel(o, t)).classes("w-full h-52")
            with ui.card().classes("col-span-1 shadow-sm gap-2"):
                ui.label(t("value.title")).classes("text-base font-semibold text-slate-700")
                self._side(t("value.members"), o.value.members, "#1d4ed8")
                self._side(t("value.customers"), o.value.customers, "#94a3b8")
                ui.separator()
                with ui.row().classes("w-full items-baseline justify-between"):
                    ui.label(t("value.share")).classes("text-sm text-slate-500")
                    ui.label(percent(o.value.member_gmv_share)).classes(
                        "text-2xl font-semibold text-slate-800"
                    ).props("data-figure=member_gmv_share")

    def _side(self, name: str, side: Side, colour: str) -> None:
        t = self.viewer.t
        with ui.row().classes("w-full items-baseline justify-between no-wrap"):
            with ui.column().classes("gap-0"):
                ui.label(name).classes("text-sm font-medium").style(f"color: {colour}")
                ui.label(t("value.orders", count=number(side.orders), gmv=yuan(side.gmv))).classes(
                    "text-xs text-slate-400"
                )
            with ui.column().classes("gap-0 items-end"):
                ui.label(yuan(side.average_order_value)).classes(
                    "text-xl font-semibold text-slate-800 tabular-nums"
                )
                ui.label(t("value.aov")).classes("text-xs text-slate-400")

    def _pick(self, days: int) -> None:
        """Another range: only the trend is read again."""
        self.days = days
        with transaction() as session:
            self.trend = service.trend(session, self.viewer.principal, days, bucket_for(days))
        self.trends.refresh()

    @ui.refreshable_method
    def trends(self) -> None:
        t, trend = self.viewer.t, self.trend
        if trend is None:
            return
        with ui.row().classes("w-full items-center"):
            ui.label(t("chart.trends")).classes("text-base font-semibold text-slate-700")
            ui.space()
            range_toggle(self.viewer, self.days, self._pick)
        with ui.element("div").classes("grid grid-cols-2 gap-4 w-full"):
            for key, option in (
                ("chart.gmv", charts.sales(trend, t)),
                ("chart.new_members", charts.new_members(trend, t)),
            ):
                with ui.card().classes("shadow-sm gap-1"):
                    ui.label(t(key, bucket=t(f"bucket.{trend.bucket.value}"))).classes(
                        "text-base font-semibold text-slate-700"
                    )
                    ui.echart(option).classes("w-full h-60")


@ui.page("/overview")
def overview_page(request: Request) -> RedirectResponse | None:
    viewer = current_viewer()
    if viewer is None:
        return to_login(request)
    frame(viewer, viewer.t("overview.title"), "/overview")
    with content():
        if not viewer.principal.can(Permission.members_read):
            ui.label(viewer.t("common.forbidden")).classes("text-slate-500")
            return None
        OverviewView(viewer).show()
    return None
