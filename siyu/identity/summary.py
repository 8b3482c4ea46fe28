"""Identity figures for the run summary: customers, identifiers, exclusions, accuracy."""

from __future__ import annotations

from pathlib import Path

import duckdb

from siyu.hash_key import HashKey
from siyu.identity.accuracy import measure_identity_accuracy
from siyu.registry import id_types


def identity_summary_lines(
    con: duckdb.DuckDBPyConnection, key: HashKey, ground_truth_dir: Path | None
) -> list[str]:
    customers = con.execute("select count(*) from marts.dim_customer").fetchone()[0]
    identifiers = con.execute("select count(*) from marts.customer_identity").fetchone()[0]
    excluded = con.execute(
        "select exclusion_type, count(*) from marts.identity_excluded_ids group by 1 order by 1"
    ).fetchall()
    lines = [
        f"OneID: {customers:,} customers from {identifiers:,} identifiers; excluded identifiers: "
        + (", ".join(f"{count} {kind}" for kind, count in excluded) or "none")
    ]
    identities_csv = ground_truth_dir / "identities.csv" if ground_truth_dir else None
    if identities_csv and identities_csv.exists():
        accuracy = measure_identity_accuracy(con, identities_csv, key)
        linkable = _linkable_recall(con)
        lines.append(
            f"OneID vs ground truth ({accuracy.identifiers_compared:,} identifiers): "
            f"pairwise precision {accuracy.precision:.4f}, recall {accuracy.recall:.4f} "
            f"(recall {linkable:.4f} without marketplace buyer ids, which platforms mask)"
        )
    return lines


def _linkable_recall(con: duckdb.DuckDBPyConnection) -> float:
    """Recall over identifiers other than the platform-masked buyer ids of marketplaces (the
    registry's is_platform_masked; uses the `matched` table)."""
    excluded = ", ".join(f"'{t.name}'" for t in id_types().values() if t.is_platform_masked)
    true, correct = con.execute(
        f"""
        with kept as (select * from matched where id_type not in ({excluded})),
        by_person as (select count(*) as n from kept group by person_id),
        by_both as (select count(*) as n from kept group by person_id, customer_id)
        select (select sum(n * (n - 1) / 2) from by_person),
            (select sum(n * (n - 1) / 2) from by_both)
        """
    ).fetchone()
    return float(correct) / float(true) if true else 1.0
