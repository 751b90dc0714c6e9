"""Charts drawn on the server as SVG (issue #14): a member's timeline and the community
statistics. No inline style or script: shapes carry classes that static/style.css colours,
every chart has a <title> and sits beside a table holding the same numbers.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from statistics import mean

from markupsafe import Markup, escape

from forum.journals.services import dose_on, side_effects, spans

WEEK_W = 10
SCALE_H = 100
STRIP_H = 12
LABEL_W = 120


def _svg(width: int, height: int, title: str, body: list[str], css: str) -> Markup:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart {css}" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'preserveAspectRatio="xMinYMin meet" aria-label="{escape(title)}">'
        f"<title>{escape(title)}</title>"
    )
    return Markup(head + "".join(body) + "</svg>")  # noqa: S704 (every value is escaped above)


@dataclass
class WeekRow:
    starts: date
    skin: float | None
    mood: float | None
    dose_mg: int | None
    side_effects: list[tuple[str, int]] = field(default_factory=list)


@dataclass
class Timeline:
    svg: Markup | None
    rows: list[WeekRow]


def _x(day: date, first: date) -> int:
    return LABEL_W + ((day - first).days // 7) * WEEK_W


def _y(value: float) -> float:
    return round(10 + (5 - value) / 4 * (SCALE_H - 20), 1)


def timeline(entries, periods, start: date | None, end: date | None) -> Timeline:
    """Skin and mood by week, a strip per side effect (the worst level of the week) and the
    dose periods as a band, from the course start (or the first entry) to the last entry."""
    if not entries:
        return Timeline(None, [])
    first = min(start or entries[0].day, entries[0].day)
    first -= timedelta(days=first.weekday())
    weeks: dict[int, list] = defaultdict(list)
    for entry in entries:
        weeks[(entry.day - first).days // 7].append(entry)
    count = max(weeks) + 1
    effects = side_effects()
    rows = []
    for week in sorted(weeks):
        group = weeks[week]
        worst = {e.slug: max(x.side_effects.get(e.slug, 0) for x in group) for e in effects}
        starts = first + timedelta(days=7 * week)
        dose = dose_on(periods, starts + timedelta(days=6))
        rows.append(
            WeekRow(
                starts,
                round(mean(x.skin for x in group), 1),
                round(mean(x.mood for x in group), 1),
                dose,
                [(e.name, worst[e.slug]) for e in effects if worst[e.slug]],
            )
        )
    width = LABEL_W + count * WEEK_W + 10
    band_y = SCALE_H + 6
    strips_y = band_y + 22
    height = strips_y + len(effects) * STRIP_H + 20
    body = [
        f'<text class="chart-label" x="4" y="{_y(5) + 4}">Good (5)</text>',
        f'<text class="chart-label" x="4" y="{_y(1) + 4}">Low (1)</text>',
        f'<line class="chart-axis" x1="{LABEL_W}" y1="{_y(1)}" x2="{width - 10}" y2="{_y(1)}"/>',
    ]
    for name, css in (("skin", "line-skin"), ("mood", "line-mood")):
        points = " ".join(
            f"{_x(r.starts, first) + WEEK_W / 2},{_y(getattr(r, name))}" for r in rows
        )
        body.append(
            f'<polyline class="{css}" points="{points}"><title>{name.title()}</title></polyline>'
        )
    body.append(f'<text class="chart-label" x="4" y="{band_y + 12}">Dose (mg/day)</text>')
    last_day = entries[-1].day
    for a, b, mg in spans(periods, start, max(last_day, end or last_day)):
        x1 = LABEL_W + max(0, (a - first).days) / 7 * WEEK_W
        x2 = LABEL_W + min(count * 7, (b - first).days + 1) / 7 * WEEK_W
        if x2 > x1:
            body.append(
                f'<rect class="dose-band" x="{x1:.1f}" y="{band_y}" width="{x2 - x1:.1f}" '
                f'height="16"><title>{mg} mg a day from {a:%-d %b %Y}</title></rect>'
                f'<text class="chart-value" x="{x1 + 2:.1f}" y="{band_y + 12}">{mg}</text>'
            )
    for n, effect in enumerate(effects):
        y = strips_y + n * STRIP_H
        body.append(f'<text class="chart-label" x="4" y="{y + 10}">{escape(effect.name)}</text>')
        for row in rows:
            level = dict(row.side_effects).get(effect.name, 0)
            if level:
                x = LABEL_W + ((row.starts - first).days // 7) * WEEK_W
                body.append(
                    f'<rect class="se-level-{level}" x="{x}" y="{y + 1}" width="{WEEK_W - 1}" '
                    f'height="{STRIP_H - 2}"/>'
                )
    title = f"Your journal by week, {len(rows)} week{'s' if len(rows) != 1 else ''} with entries"
    return Timeline(_svg(width, height, title, body, "timeline"), rows)


# --- Community statistics ----------------------------------------------------------------------

BAR_W = 22
BAR_H = 80


@dataclass
class StatCell:
    bucket: int
    value: float | None  # None: fewer than the threshold of members
    n: int | None


@dataclass
class StatSeries:
    measure: str
    label: str
    cells: list[StatCell]
    percent: bool = True

    @property
    def shown(self) -> bool:
        return any(cell.value is not None for cell in self.cells)


def bar_chart(series: StatSeries, *, axis_label: str) -> Markup:
    """One bar per bucket; a suppressed cell has no bar and says so in its tooltip."""
    width = 30 + len(series.cells) * (BAR_W + 4)
    height = BAR_H + 34
    body = [f'<line class="chart-axis" x1="26" y1="{BAR_H + 4}" x2="{width}" y2="{BAR_H + 4}"/>']
    body.append(
        f'<text class="chart-label" x="0" y="12">{"100%" if series.percent else "5"}</text>'
    )
    for n, cell in enumerate(series.cells):
        x = 30 + n * (BAR_W + 4)
        body.append(f'<text class="chart-label" x="{x + 4}" y="{BAR_H + 18}">{cell.bucket}</text>')
        if cell.value is None:
            body.append(
                f'<rect class="bar-suppressed" x="{x}" y="{BAR_H}" width="{BAR_W}" height="4">'
                f"<title>{axis_label} {cell.bucket}: fewer than 10 members</title></rect>"
            )
            continue
        scale = cell.value if series.percent else cell.value / 5  # medians run 1–5
        h = round(scale * BAR_H, 1)
        shown = f"{cell.value:.0%}" if series.percent else f"{cell.value:g}"
        body.append(
            f'<rect class="bar" x="{x}" y="{BAR_H + 4 - h}" width="{BAR_W}" height="{h}">'
            f"<title>{axis_label} {cell.bucket}: {shown} (n = {cell.n})</title></rect>"
        )
    body.append(f'<text class="chart-label" x="30" y="{BAR_H + 32}">{escape(axis_label)}</text>')
    return _svg(width, height, f"{series.label}, by {axis_label.lower()}", body, "bars")
