"""The chapter from record-level admissions (HES APC layout), when the user supplies them:
files in the data folder, or a Spark table named by the `spark_table` parameter.

Emergency admissions and bed days by CCG, month and age band come from `analysis.apc`
(Ibis expressions on DuckDB, or on Spark). They are counted over the records' own
financial years (FYEAR), or over the windows' months when the records carry no FYEAR,
and shown by month and age band whatever the CCG. From there on the rules are the MAR
version's, reused, not copied: every CCG's monthly admissions are screened for breaks
(`screen`), CCGs are assigned to cohorts (`cohorts_for` on the records' CCGs), growth per
head and its bootstrap interval come from `growth_table`, growth by age band from `age_growth`.
"""

from __future__ import annotations

import warnings

import pandas as pd

from ..errors import DataError, ParameterError
from .metrics import age_growth, growth_table, window_totals
from .screening import screen

BASELINES = ("baseline", "second baseline")
TABLE = "spark_table"


def has_records(sources, table: str = "") -> bool:
    source = sources.get("apc_records")
    return bool(table) or bool(source and source.files)


def spark_records(name: str):
    """The Spark table `name` as records, on the active Spark session (on a cluster, the
    platform's; elsewhere a local one); ParameterError when it cannot be read or lacks a column."""
    # PySpark 4.x warns on every conversion that it does not yet fully support pandas 3; the
    # results are checked equal to DuckDB's by the test suite, so that one warning is silenced
    warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas", category=FutureWarning)
    try:
        import ibis
        from pyspark.sql import SparkSession
    except ImportError:
        raise ParameterError(TABLE, "reading a Spark table needs PySpark and Java 17 "
                                    "(pip install -e \".[spark]\")") from None
    from ..apc import read_table

    try:
        return read_table(ibis.pyspark.connect(SparkSession.builder.getOrCreate()), name)
    except DataError as error:
        raise ParameterError(TABLE, str(error)) from None


def load_records(sources, data: dict, spans: dict, table: str = "", backend=None) -> dict:
    """Aggregate the records (the Spark table `table` if given, else the data folder's files)
    over their own financial years, or the windows' months; CCGs known from the population file."""
    from ..apc import aggregate, read_apc  # the engines load only when records are supplied

    records = spark_records(table) if table else read_apc(sources["apc_records"].files, backend)
    if "FYEAR" in records.table.columns:
        first = last = None
    else:
        months = sorted(set().union(*[set(span) for span in spans.values()]))
        first, last = str(months[0]), str(months[-1])
    out = aggregate(records, first, last, data["population"].index)
    admissions = out["admissions"]
    out["monthly"] = admissions.pivot_table(index="month", columns="ccg_code", values="admissions", aggfunc="sum")
    out["bed_days"] = admissions.pivot_table(index="month", columns="ccg_code", values="bed_days", aggfunc="sum")
    out["source"] = records
    out["kind"] = None if table else (sources["apc_records"].kinds or [None])[0]
    return out


def source_text(sources, table: str = "") -> str:
    """Which source the page's record-level section used."""
    if table:
        return f"Record-level admissions: the Spark table {table}, read on the active Spark session."
    if not has_records(sources):
        return ("No admitted patient care records were supplied (a HES APC extract in the data folder, in files whose "
                "names contain \"hes\", an underscore and \"apc\", or a Spark table named by the chapter's "
                "Spark table parameter), so this page's figures come from the Monthly Activity Return.")
    source = sources["apc_records"]
    count = f"{len(source.files)} file{'s' if len(source.files) != 1 else ''}"
    folders = ", ".join(sorted({p.parent.name for p in source.files}))[:200]
    return f"Record-level admissions: {count} in the HES APC layout ({folders}). {kind_sentence(source)}"


def kind_sentence(source) -> str:
    """What the records are, from their kind: a synthetic or artificial extract's figures are said to be
    no results, beside them."""
    from ..provenance import Kind, what_it_is

    kind = source.kinds[0] if source.kinds else Kind.PUBLISHED
    if kind.is_result:
        return "The records are real data."
    what = what_it_is(kind, [source]).replace("<code>", "").replace("</code>", "")
    return f"Every figure of this section is computed from these records, which are {what}."


def records_prefix(records: dict) -> str:
    """How a sentence of figures from the records begins: their kind when they are not real data."""
    words = records_words(records)
    return "In the records, " if words == "records" else f"In {words}, "


def records_words(records: dict) -> str:
    """The records as a caption names them: "records", or their kind when they are not real data."""
    from ..provenance import Kind

    kind = records.get("kind")
    return {Kind.ARTIFICIAL: "these artificial records (not real activity)",
            Kind.SYNTHETIC: "this synthetic extract (not real activity)"}.get(kind, "records")


def period_words(records: dict) -> str:
    first, last = pd.Period(records["first"], "M"), pd.Period(records["last"], "M")
    span = f"{first.strftime('%B %Y')} to {last.strftime('%B %Y')}"
    if records["years"]:
        years = ", ".join(y.replace("-", "/") for y in records["years"])
        return f"the records' own financial year{'s' if len(records['years']) > 1 else ''} ({years}: {span})"
    return f"the months the windows span ({span})"


def exclusions_text(records: dict) -> str:
    table = records["exclusions"]
    everywhere = table[(table["episodes"] > 0) & (table["left_out_of"] == "every figure")]
    ccg = table[(table["episodes"] > 0) & (table["left_out_of"] != "every figure")]
    counted = int(records["by_month"]["admissions"].sum())
    placed = int(records["admissions"]["admissions"].sum())
    text = f"{records_prefix(records)}over {period_words(records)}, {counted:,} emergency admissions counted"
    text += ("; no episode was excluded" if everywhere.empty else "; excluded and counted: "
             + "; ".join(f"{r.reason} {r.episodes:,}" for r in everywhere.itertuples()))
    if ccg.empty:
        return text + ". Every one of them was placed in a known CCG."
    reasons = "; ".join(f"{r.reason} {r.episodes:,}" for r in ccg.itertuples())
    if placed == 0:
        return (text + f". None of them could be placed in a known CCG ({reasons}), so no cohort can be assigned "
                "from these records: their counts by month and age band are all they can show.")
    return (text + f". {placed:,} of them were placed in a known CCG; left out of the CCG and cohort figures only: "
            f"{reasons}.")


def month_table(records: dict) -> pd.DataFrame:
    """Emergency admissions by month and age band (columns), with all ages and bed days, every CCG,
    for every month counted."""
    by_month = records["by_month"]
    table = by_month.pivot_table(index="month", columns="age_band", values="admissions", aggfunc="sum", fill_value=0)
    from ..apc import AGE_BANDS

    months = pd.period_range(records["first"], records["last"], freq="M")  # a month with none shows 0
    table = table.reindex(index=months, columns=list(AGE_BANDS), fill_value=0).rename_axis("month")
    table["All ages"] = table.sum(axis=1)
    table["Bed days"] = by_month.groupby("month")["bed_days"].sum().reindex(months, fill_value=0)
    return table.reset_index().assign(month=lambda t: t["month"].dt.strftime("%b %Y")).rename(
        columns={"month": "Month", **{band: f"Aged {band}" for band in AGE_BANDS}})


def months_text(records: dict) -> str:
    """The counts by age band over the records' months, in words."""
    by_month = records["by_month"]
    if by_month.empty:
        return "No emergency admission in the records passed the checks, so there are no counts by month and age."
    bands = by_month.groupby("age_band")[["admissions", "bed_days"]].sum()
    total = bands.sum()
    return (f"{records_prefix(records)}over {period_words(records)}: {int(total['admissions']):,} emergency "
            f"admissions and "
            f"{int(total['bed_days']):,} emergency bed days ("
            + "; ".join(f"aged {band} {int(r.admissions):,} admissions, {int(r.bed_days):,} bed days"
                        for band, r in bands.iterrows()) + ").")


NOT_COVERED = ("The records do not hold every month of the windows compared for a known CCG, so no growth by cohort "
               "is computed from them; the figures above are the Monthly Activity Return's.")


def record_growth(records: dict, data: dict, spans: dict, chosen: list[str], labels: dict, people: dict) -> dict:
    """Growth by cohort in emergency admissions and in bed days (per head, bootstrap intervals),
    and growth by age band; None for each, with the reason in words, when the records' CCGs do
    not cover the windows or the screening leaves a cohort empty."""
    from . import cohorts_for, excluded_ccgs

    monthly = records["monthly"]
    none = {"admissions": None, "bed_days": None, "ages": None, "flags": None}
    if monthly.empty:
        return {**none, "reason": "No admission in the records could be placed in a known CCG, so no growth by "
                                  "cohort is computed from them; the figures above are the Monthly Activity Return's."}
    covered = all(m in set(monthly.index) for span in spans.values() for m in span)
    if not covered:
        return {**none, "reason": NOT_COVERED}
    flags = screen(monthly)
    screened = {**data, "monthly": monthly, "flags": flags}
    cohorts = cohorts_for(screened, spans, chosen)  # breaks left out
    people = {name: population.reindex(monthly.columns) for name, population in people.items()}

    def growth(frame: pd.DataFrame) -> pd.DataFrame:
        totals = window_totals(frame, spans)
        return pd.concat([growth_table(totals, cohorts, people, name, labels[name]) for name in BASELINES],
                         ignore_index=True)

    try:
        return {"admissions": growth(monthly), "bed_days": growth(records["bed_days"]), "flags": flags, "reason": "",
                "ages": age_growth(records["admissions"], cohorts, spans["baseline"], spans["recent"],
                                   labels["baseline"])}
    except DataError as error:  # a cohort left empty
        left_out = len(excluded_ccgs(screened, spans))
        return {**none, "flags": flags, "reason": (
            f"No growth by cohort is computed from the records ({error.reason}): the screening for "
            f"breaks left out {left_out} of the records' {monthly.shape[1]} CCGs, whose monthly admissions move by "
            "more than 25% from their own median; the figures above are the Monthly Activity Return's.")}
