"""Exports: the bilan, the ranking and the monthly series as re-usable files, and the lake.

`tables` turns the indicator views (`jalon.indicators`: already computed, secrecy already applied
when public) into plain typed tables with French headers from the registry; `xlsx` writes them as
an Excel workbook; `series` builds the monthly series of a phase with its year-on-year change;
`lake` writes the store's canonical tables as a Parquet lake partitioned by year and region and
opens such a lake on Apache Spark. Nothing here writes to the store.
"""
