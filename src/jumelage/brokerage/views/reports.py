"""Organisers: the brokerage's dashboard (figures and charts) and its CSV/XLSX export."""

from __future__ import annotations

from django.http import Http404
from django.urls import path
from django.utils.translation import gettext as _

from jumelage.brokerage import dashboard
from jumelage.brokerage.views.common import brokerage_view, render_page
from jumelage.core.tabular import FORMATS, table_response


def _chart(chart_id: str, title: str, description: str, column: str, counts) -> dict:
    """A one-series bar chart of meeting counts (one series: the figure alone beside each bar, the
    heading says what it counts), with what its table needs: the first column's heading and the rows."""
    return {
        "id": chart_id,
        "title": title,
        "description": description,
        "series": [("b2b-meetings", _("Meetings"), "")],
        "rows": [(label, [n]) for label, n in counts],
        "column": column,
        "counts": counts,
    }


@brokerage_view("brokerage.view_dashboard")
def dashboard_page(request, brokerage):
    figures = dashboard.figures(brokerage)
    charts = []
    if figures.by_pair:
        charts.append(
            _chart(
                "b2b-pairs",
                _("Meetings by ecosystem pair"),
                _("Number of meetings between participants of each pair of ecosystems."),
                _("Ecosystems"),
                figures.by_pair,
            )
        )
    if figures.by_theme:
        charts.append(
            _chart(
                "b2b-themes",
                _("Meetings by theme"),
                _("Meetings whose participants work on each theme."),
                _("Theme"),
                figures.by_theme,
            )
        )
    return render_page(request, brokerage, "brokerage/dashboard.html", {"figures": figures, "charts": charts})


@brokerage_view("brokerage.view_dashboard")
def export(request, brokerage, fmt):
    if fmt not in FORMATS:
        raise Http404(_("Export formats: CSV and XLSX."))
    header, rows = dashboard.export_rows(brokerage)
    return table_response(header, rows, fmt, filename=f"{brokerage.event.slug}-b2b-meetings")


urlpatterns = [
    path("events/<slug:slug>/b2b/dashboard/", dashboard_page, name="dashboard"),
    path("events/<slug:slug>/b2b/export.<str:fmt>", export, name="export"),
]
