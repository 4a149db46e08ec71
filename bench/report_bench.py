"""Benchmark of the bilan PDF: one region and the nation, on the demo database.

    make demo                                   # once: writes jalon-demo.duckdb (demo scale)
    .venv/bin/python bench/report_bench.py      # or --db PATH --region 76 --repeat 3

Opens the database read-only and times, for the region and for the nation: the indicators alone
(`compute_all_bilans`, the baseline measured in the same run), the whole view data with charts and
maps (`build_document`), the HTML (Jinja2) and the PDF (WeasyPrint). Prints the median of
`--repeat` runs of each step and the ratio of the whole document to the baseline. The bars
(issue 6): regional PDF under 10 s, national under 30 s on the 2-core machine.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from jalon.indicators import compute_all_bilans
from jalon.plan import load_plan
from jalon.report import rendu
from jalon.report.document import build_document
from jalon.store import open_store

BARS = {"région": 10.0, "national": 30.0}


def _median(step: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = step()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, default=Path("jalon-demo.duckdb"))
    parser.add_argument("--region", default="76")
    parser.add_argument("--phase", default="2016")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if not args.db.exists():
        raise SystemExit(f"{args.db} absent : lancez d'abord « make demo » (ou --db CHEMIN).")
    plan = load_plan()
    con = open_store(args.db, read_only=True)
    entries = con.execute("SELECT count(*) FROM entrees").fetchone()
    print(f"base {args.db} : {entries[0] if entries else 0:,} entrées ; {args.repeat} essais")
    # vl-convert starts its JavaScript engine on first use: not part of any document's cost.
    build_document(con, plan, args.phase, args.region)
    try:
        for name, region in (("région", args.region), ("national", None)):
            baseline, _ = _median(lambda: compute_all_bilans(con, plan, args.phase), args.repeat)
            data, doc = _median(
                lambda region=region: build_document(con, plan, args.phase, region), args.repeat
            )
            html_time, html = _median(lambda doc=doc: rendu.bilan_html(doc), args.repeat)
            pdf_time, pdf = _median(lambda html=html: rendu.pdf(html), args.repeat)
            total = data + html_time + pdf_time
            verdict = "OK" if total < BARS[name] else "TROP LENT"
            print(
                f"{name:<9} indicateurs {baseline:6.2f} s | données+graphiques {data:6.2f} s | "
                f"HTML {html_time:5.2f} s | PDF {pdf_time:6.2f} s ({len(pdf) / 1e3:.0f} ko) | "
                f"total {total:6.2f} s = {total / baseline:4.1f} × indicateurs | "
                f"barre {BARS[name]:.0f} s : {verdict}"
            )
    finally:
        con.close()


if __name__ == "__main__":
    main()
