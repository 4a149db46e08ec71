"""The same mandatory import work written with polars and with pandas, for `ingest_bench.py`.

Each peer does what Jalon's core import does on a `pe-stagiaires` export of the 2016 layout
(38 columns, `|`, no quotes), written straightforwardly, as a competent user of each library
would:
  - every physical line keeps its number (the header is line 1);
  - a line identical to an earlier one is a duplicate; a line with the wrong number of fields is
    rejected;
  - the fields counting needs are checked and reject the line (`person` missing, start date
    unreadable, financeurs missing or unknown, no usable place: département, else commune, else
    postcode); the other checks keep the line and record an anomaly (end before start, Formacode
    not 5 digits, SIRET not 14 digits or failing Luhn, hours not an integer or out of 0–10 000,
    unknown département or commune), setting that field to missing;
  - personal columns are never carried over; the national id is replaced by its HMAC-SHA-256;
  - accepted lines, rejections and anomalies (line, column, reason) are written to a DuckDB
    store in one transaction.
Reference checks use Jalon's own lists (départements, communes, Luhn), as any implementation
would use the official lists. Safe to run anywhere: reads one file, writes one database.
"""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

import duckdb

DELIMITER = "|"
DATE_FORMAT = "%Y-%m-%d %H:%M:%S%.f"
MISSING = ("NULL", "", "00000000")
#: Output field → the 2016 layout's column.
COLUMNS = {
    "person": "dn_individu_national",
    "date_entree": "dd_datedebutmodule",
    "date_fin_prevue": "dd_datefinmodule",
    "financeurs": "liste_financeur",
    "numero_session": "dc_numeroicsession",
    "numero_action": "dc_numeroicaction",
    "formacode": "dc_formacode_ppal_id",
    "certifinfo": "dn_certifinfo_1_id",
    "siret": "dc_siret",
    "organisme": "dc_raisonsociale",
    "departement": "departement",
    "commune_lieu": "dc_insee_lieuformation",
    "code_postal_lieu": "dc_cp_lieuformation",
    "niveau_sortie": "dc_niveauformation_sortie_id",
    "heures_centre": "dn_nombreheurescentre",
    "heures_entreprise": "dn_dureeentreprise",
}
HOURS = ("heures_centre", "heures_entreprise")
SCHEMA = """
CREATE TABLE lignes (line BIGINT, hash_personne VARCHAR, date_entree DATE, date_fin_prevue DATE,
    financeurs UTINYINT[], numero_session VARCHAR, numero_action VARCHAR, formacode VARCHAR,
    certifinfo VARCHAR, siret VARCHAR, organisme VARCHAR, departement VARCHAR,
    commune_lieu VARCHAR, code_postal_lieu VARCHAR, niveau_sortie VARCHAR,
    heures_centre INTEGER, heures_entreprise INTEGER);
CREATE TABLE rejets (line BIGINT, "column" VARCHAR, reason VARCHAR);
CREATE TABLE anomalies (line BIGINT, "column" VARCHAR, reason VARCHAR);
CREATE TABLE doublons (line BIGINT);
"""


def _references() -> tuple[set[str], set[int], object, object]:
    from jalon.ingest.reference_checks import luhn_ok
    from jalon.reference import departements, est_commune, financeurs

    return {d.code for d in departements()}, set(financeurs()), est_commune, luhn_ok


def _hmac(key: bytes, value: str) -> str:
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def _write(db: Path, frames: dict[str, object]) -> None:
    con = duckdb.connect(str(db))
    con.execute(SCHEMA)
    con.execute("BEGIN")
    for table, frame in frames.items():
        con.register("frame", frame)
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM frame")
        con.unregister("frame")
    con.execute("COMMIT")
    con.close()


def polars_import(path: Path, db: Path, key: bytes) -> None:
    import polars as pl

    known_deps, known_financeurs, est_commune, luhn_ok = _references()
    header = path.open(encoding="utf-8").readline().rstrip("\r\n").split(DELIMITER)
    index = {name: header.index(column) for name, column in COLUMNS.items()}
    raw = pl.read_csv(
        path,
        has_header=False,
        skip_rows=1,
        separator="\x1f",
        quote_char=None,
        new_columns=["raw"],
        schema_overrides={"raw": pl.String},
    ).with_row_index("line", offset=2)
    raw = raw.with_columns(pl.col("raw").str.strip_chars_end("\r"))
    raw = raw.filter(pl.col("raw") != "")
    first = raw.select(pl.col("raw").is_first_distinct()).to_series()
    duplicates = raw.filter(~first).select("line")
    lines = raw.filter(first).with_columns(pl.col("raw").str.split(DELIMITER).alias("parts"))
    wrong = lines.filter(pl.col("parts").list.len() != len(header))
    lines = lines.filter(pl.col("parts").list.len() == len(header))

    def field(name: str) -> pl.Expr:
        value = pl.col("parts").list.get(index[name]).str.strip_chars()
        return pl.when(value.is_in(MISSING)).then(None).otherwise(value).alias(name)

    frame = lines.select("line", *[field(name) for name in COLUMNS])
    frame = frame.with_columns(
        pl.col("date_entree").str.to_date(DATE_FORMAT, strict=False).alias("start"),
        pl.col("date_fin_prevue").str.to_date(DATE_FORMAT, strict=False).alias("end"),
        pl.col("financeurs")
        .str.split(";")
        .list.eval(pl.element().cast(pl.UInt8, strict=False))
        .alias("codes"),
        *[pl.col(h).cast(pl.Int64, strict=False).alias(f"{h}_n") for h in HOURS],
    )
    communes = frame.get_column("commune_lieu").drop_nulls().unique().to_list()
    good_communes = [c for c in communes if est_commune(c)]
    sirets = frame.get_column("siret").drop_nulls().unique().to_list()
    good_sirets = [s for s in sirets if luhn_ok(s)]
    dep_ok = pl.col("departement").is_in(sorted(known_deps))
    commune_ok = pl.col("commune_lieu").is_in(good_communes)
    codes_ok = (
        pl.col("codes")
        .list.eval(pl.element().is_not_null() & pl.element().is_in(sorted(known_financeurs)))
        .list.all()
    )
    checks = {
        "person": ("identifiant_manquant", pl.col("person").is_null()),
        "date_entree": ("date_invalide", pl.col("start").is_null()),
        "financeurs": ("financeur_inconnu", pl.col("financeurs").is_null() | ~codes_ok),
        "departement": (
            "lieu_inconnu",
            ~(dep_ok | commune_ok | pl.col("code_postal_lieu").str.contains(r"^[0-9]{5}$")),
        ),
    }
    reject_reason = pl.lit(None, dtype=pl.String)
    reject_column = pl.lit(None, dtype=pl.String)
    for name, (reason, failed) in reversed(checks.items()):
        reject_reason = pl.when(failed).then(pl.lit(reason)).otherwise(reject_reason)
        reject_column = pl.when(failed).then(pl.lit(COLUMNS[name])).otherwise(reject_column)
    frame = frame.with_columns(reject_reason.alias("reason"), reject_column.alias("column"))
    rejected = frame.filter(pl.col("reason").is_not_null())
    kept = frame.filter(pl.col("reason").is_null())
    anomaly_checks = {
        "date_fin_prevue": (
            (pl.col("date_fin_prevue").is_not_null() & pl.col("end").is_null())
            | (pl.col("end") < pl.col("start"))
        ),
        "formacode": pl.col("formacode").is_not_null()
        & ~pl.col("formacode").str.contains(r"^[0-9]{5}$"),
        "siret": pl.col("siret").is_not_null() & ~pl.col("siret").is_in(good_sirets),
        "departement": pl.col("departement").is_not_null() & ~dep_ok,
        "commune_lieu": pl.col("commune_lieu").is_not_null() & ~commune_ok,
        **{
            h: pl.col(h).is_not_null() & ~pl.col(f"{h}_n").is_between(0, 10_000).fill_null(False)
            for h in HOURS
        },
    }
    anomalies = pl.concat(
        [
            kept.filter(failed).select(
                "line", pl.lit(COLUMNS[name]).alias("column"), pl.lit("invalide").alias("reason")
            )
            for name, failed in anomaly_checks.items()
        ]
    )
    kept = kept.with_columns(
        pl.col("person")
        .map_elements(lambda v: _hmac(key, v), return_dtype=pl.String)
        .alias("hash_personne"),
        pl.col("start").alias("date_entree"),
        pl.when(anomaly_checks["date_fin_prevue"])
        .then(None)
        .otherwise(pl.col("end"))
        .alias("date_fin_prevue"),
        pl.col("codes").alias("financeurs"),
        *[
            pl.when(anomaly_checks[name]).then(None).otherwise(pl.col(name)).alias(name)
            for name in ("formacode", "siret", "departement", "commune_lieu")
        ],
        *[
            pl.when(anomaly_checks[h]).then(None).otherwise(pl.col(f"{h}_n")).alias(h)
            for h in HOURS
        ],
    ).drop("person", "start", "end", "codes", "reason", "column", *[f"{h}_n" for h in HOURS])
    rejets = pl.concat(
        [
            wrong.select(
                "line",
                pl.lit(None, dtype=pl.String).alias("column"),
                pl.lit("nombre_de_colonnes").alias("reason"),
            ),
            rejected.select("line", "column", "reason"),
        ]
    )
    _write(
        db,
        {
            "lignes": kept.to_arrow(),
            "rejets": rejets.to_arrow(),
            "anomalies": anomalies.to_arrow(),
            "doublons": duplicates.to_arrow(),
        },
    )


def pandas_import(path: Path, db: Path, key: bytes) -> None:
    import pandas as pd

    known_deps, known_financeurs, est_commune, luhn_ok = _references()
    header = path.open(encoding="utf-8").readline().rstrip("\r\n").split(DELIMITER)
    index = {name: header.index(column) for name, column in COLUMNS.items()}
    with path.open(encoding="utf-8", newline="") as handle:
        next(handle)
        raw = pd.Series([line.rstrip("\r\n") for line in handle], dtype="string")
    raw.index = pd.RangeIndex(2, len(raw) + 2)
    raw = raw[raw != ""]
    duplicated = raw.duplicated()
    duplicates = pd.DataFrame({"line": raw.index[duplicated]})
    raw = raw[~duplicated]
    parts = raw.str.split(DELIMITER, regex=False)
    counts = parts.str.len()
    wrong = raw.index[counts != len(header)]
    parts = parts[counts == len(header)]
    frame = pd.DataFrame({name: parts.str[i].str.strip() for name, i in index.items()})
    frame = frame.mask(frame.isin(MISSING))
    start = pd.to_datetime(frame["date_entree"], format="%Y-%m-%d %H:%M:%S.%f", errors="coerce")
    end = pd.to_datetime(frame["date_fin_prevue"], format="%Y-%m-%d %H:%M:%S.%f", errors="coerce")
    codes = frame["financeurs"].str.split(";")

    def known_codes(values: object) -> bool:
        return isinstance(values, list) and all(
            v.isdigit() and int(v) in known_financeurs for v in values
        )

    codes_ok = codes.map(known_codes).astype(bool)
    dep_ok = frame["departement"].isin(known_deps)
    communes = frame["commune_lieu"].dropna().unique()
    commune_ok = frame["commune_lieu"].isin({c for c in communes if est_commune(c)})
    postcode_ok = frame["code_postal_lieu"].str.fullmatch(r"[0-9]{5}").fillna(False).astype(bool)
    checks = {
        "person": ("identifiant_manquant", frame["person"].isna()),
        "date_entree": ("date_invalide", start.isna()),
        "financeurs": ("financeur_inconnu", ~codes_ok),
        "departement": ("lieu_inconnu", ~(dep_ok | commune_ok | postcode_ok)),
    }
    reason = pd.Series(pd.NA, index=frame.index, dtype="string")
    column = pd.Series(pd.NA, index=frame.index, dtype="string")
    for name, (why, failed) in reversed(checks.items()):
        reason = reason.mask(failed, why)
        column = column.mask(failed, COLUMNS[name])
    rejected = reason.notna()
    rejets = pd.concat(
        [
            pd.DataFrame({"line": wrong, "column": None, "reason": "nombre_de_colonnes"}),
            pd.DataFrame(
                {"line": frame.index[rejected], "column": column[rejected],
                 "reason": reason[rejected]}
            ),
        ]
    )  # fmt: skip
    kept = frame[~rejected].copy()
    start, end, codes = start[~rejected], end[~rejected], codes[~rejected]
    sirets = kept["siret"].dropna().unique()
    hours = {h: pd.to_numeric(kept[h], errors="coerce") for h in HOURS}
    anomaly = {
        "date_fin_prevue": (kept["date_fin_prevue"].notna() & end.isna()) | (end < start),
        "formacode": kept["formacode"].notna()
        & ~kept["formacode"].str.fullmatch(r"[0-9]{5}").fillna(False).astype(bool),
        "siret": kept["siret"].notna() & ~kept["siret"].isin({s for s in sirets if luhn_ok(s)}),
        "departement": kept["departement"].notna() & ~dep_ok[~rejected],
        "commune_lieu": kept["commune_lieu"].notna() & ~commune_ok[~rejected],
        **{h: kept[h].notna() & ~hours[h].between(0, 10_000) for h in HOURS},
    }
    anomalies = pd.concat(
        [
            pd.DataFrame({"line": kept.index[failed], "column": COLUMNS[name],
                          "reason": "invalide"})
            for name, failed in anomaly.items()
        ]
    )  # fmt: skip
    kept["hash_personne"] = kept.pop("person").map(lambda v: _hmac(key, v))
    kept["date_entree"] = start.dt.date
    kept["date_fin_prevue"] = end.mask(anomaly["date_fin_prevue"]).dt.date
    kept["financeurs"] = codes.map(lambda values: [int(v) for v in values])
    for name in ("formacode", "siret", "departement", "commune_lieu"):
        kept[name] = kept[name].mask(anomaly[name])
    for h in HOURS:
        kept[h] = hours[h].mask(anomaly[h]).astype("Int32")
    kept = kept.rename_axis("line").reset_index()
    _write(db, {"lignes": kept, "rejets": rejets, "anomalies": anomalies, "doublons": duplicates})
