"""Daily-dose bands: the one fixed set that lists, search and statistics compare by (issue #11).

Isotretinoin is taken from about 10 mg a day (low-dose courses) to 80 mg or more (full
weight-based courses), so four bands keep stories comparable without asking anyone's
weight. Each band is a half-open range of whole milligrams a day: ``low`` counts, ``high``
does not. The Python predicate (``contains``) and the SQL clause (``clause``) sit together
so the two cannot drift.
"""

from dataclasses import dataclass

from sqlalchemy import and_


@dataclass(frozen=True)
class DoseBand:
    slug: str
    label: str
    low: int  # mg a day, included
    high: int | None  # mg a day, excluded; None: no upper end

    def contains(self, mg: int | None) -> bool:
        if mg is None:
            return False
        return mg >= self.low and (self.high is None or mg < self.high)

    def clause(self, column):
        """SQL: ``column`` (a daily dose in mg) falls in this band."""
        if self.high is None:
            return column >= self.low
        return and_(column >= self.low, column < self.high)


DOSE_BANDS = (
    DoseBand("under_20", "Under 20 mg a day", 0, 20),
    DoseBand("20_39", "20–39 mg a day", 20, 40),
    DoseBand("40_59", "40–59 mg a day", 40, 60),
    DoseBand("60_plus", "60 mg a day and over", 60, None),
)
DOSE_BAND_LABELS = {band.slug: band.label for band in DOSE_BANDS}
_BY_SLUG = {band.slug: band for band in DOSE_BANDS}


def get_band(slug: str | None) -> DoseBand | None:
    """The band named by ``slug``; None when there is no such band."""
    return _BY_SLUG.get(slug) if slug else None


def band_for(mg: int | None) -> DoseBand | None:
    """The band a daily dose falls in; None for no dose."""
    return next((band for band in DOSE_BANDS if band.contains(mg)), None)
