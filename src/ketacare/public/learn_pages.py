"""The learn pages: what each one is called, what it covers, and the sources it rests on.

The text itself is in `templates/public/learn_<slug>.html`; every fact there comes from the
sources listed here (the clinical reference's source list, `learn_sources.SOURCES`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ketacare.public.learn_sources import SOURCES, Source

# The day the text was last checked against the clinical reference. Change it only after a
# review of the page's facts, never for a layout or wording change alone.
REVIEWED_ON = dt.date(2026, 12, 3)


@dataclass(frozen=True)
class LearnPage:
    slug: str
    title: str
    summary: str
    source_keys: tuple[str, ...]
    reviewed_on: dt.date = REVIEWED_ON

    @property
    def template(self) -> str:
        return f"public/learn_{self.slug.replace('-', '_')}.html"

    @property
    def sources(self) -> list[Source]:
        return [SOURCES[key] for key in self.source_keys]


LEARN_PAGES: tuple[LearnPage, ...] = (
    LearnPage(
        slug="what-it-is",
        title="What ketamine treatment is",
        summary="How it differs from the usual antidepressant pills, and how fast it can work.",
        source_keys=(
            "ESK-PI-CUR",
            "MONO-2025",
            "SPRAVATO-TRD-PAGE",
            "SPRAVATO-ELIG",
            "CANMAT-2021",
            "FAVA-2020",
            "CHILUKURI-2014",
            "HAN-2016",
            "KRYST-2020",
            "USMED-2021",
        ),
    ),
    LearnPage(
        slug="routes",
        title="IV infusion, nasal spray and tablets side by side",
        summary="Where each is given, how often, how long you stay, and what the evidence is.",
        source_keys=(
            "ESK-PI-CUR",
            "MONO-2025",
            "ONA-ESK",
            "REMS-FDA",
            "REMS-SITE",
            "SPRAVATO-PREP",
            "CANMAT-2021",
            "FAVA-2020",
            "ANDRADE-2017",
            "ANDRADE-2019",
            "MURROUGH-2013B",
            "ALSHIRAWI-2017",
            "LARA-2013",
            "MAYO-ESK",
            "ELEKTD-2023",
            "EMORY-2018",
            "SZARMACH-2020",
        ),
    ),
    LearnPage(
        slug="candidates",
        title="Who may be a candidate, and who may not",
        summary="Who these treatments are for, what rules them out, and what a clinician checks.",
        source_keys=(
            "ESK-PI-CUR",
            "ESK-PI-2019",
            "USMED-2021",
            "ONA-ESK",
            "SPRAVATO-ELIG",
            "SPRAVATO-TRD-PAGE",
            "JNJ-CV",
            "TRANSFORM3-2020",
            "OLDER-KET-2019",
            "KROENKE-2001",
            "MEDNET-ESK",
        ),
    ),
    LearnPage(
        slug="sessions",
        title="What a session is like",
        summary="Before, during and after a session: the checks, the monitoring and the ride home.",
        source_keys=(
            "ESK-PI-CUR",
            "ESK-PI-2019",
            "SPRAVATO-PREP",
            "SPRAVATO-HCP-DOSING",
            "ESK-SMPC",
            "REMS-FDA",
            "REMS-SITE",
            "JNJ-SED",
            "USMED-2021",
            "EMORY-2018",
            "SZARMACH-2020",
        ),
    ),
    LearnPage(
        slug="side-effects",
        title="Side effects, common and serious",
        summary="What many people feel during a session, and the rarer risks to know about.",
        source_keys=(
            "ESK-PI-CUR",
            "ESK-PI-2019",
            "USMED-2021",
            "ADV-PSYCH",
            "SPRAVATO-SAFETY",
            "TRANSFORM2-2019",
            "JNJ-SED",
            "SPS-NHS",
            "YALE-2024",
            "RYAN-2014",
            "CHILUKURI-2014",
            "KIC-CASE-2024",
            "MEDNET-ESK",
            "REMS-INPT",
        ),
    ),
    LearnPage(
        slug="long-term",
        title="Long-term results and ongoing care",
        summary="What is known and not known about how long it helps, and why follow-up matters.",
        source_keys=(
            "KRYST-2020",
            "MURROUGH-2013B",
            "KETECT-2022",
            "SUSTAIN1-2019",
            "ESCAPE-2023",
            "ALNEFEESI-2022",
            "CANMAT-2021",
            "ANDRADE-2017",
            "ANDRADE-2019",
            "ESK-PI-CUR",
            "USMED-2021",
            "ESK-SMPC",
            "DAVIS-ESK",
            "LOWE-2004",
        ),
    ),
)

PAGES_BY_SLUG: dict[str, LearnPage] = {page.slug: page for page in LEARN_PAGES}
