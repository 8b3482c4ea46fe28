"""Pairwise precision and recall of OneID against a generator's ground truth.

Over the identifiers present in both the ground truth and `marts.customer_identity`, a pair of
identifiers is *predicted* together when they share a customer_id and *truly* together when they
belong to one person. Precision = correct pairs / predicted pairs (a false merge lowers it);
recall = correct pairs / true pairs (a missed link lowers it).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from siyu.hash_key import HashKey, keyed_hash_sql
from siyu.registry import id_types


@dataclass(frozen=True)
class IdentityAccuracy:
    identifiers_compared: int
    predicted_pairs: int
    true_pairs: int
    correct_pairs: int

    @property
    def precision(self) -> float:
        return self.correct_pairs / self.predicted_pairs if self.predicted_pairs else 1.0

    @property
    def recall(self) -> float:
        return self.correct_pairs / self.true_pairs if self.true_pairs else 1.0


def _pairs(column: str) -> str:
    grouped = f"(select count(*) as n from matched group by {column})"
    return f"coalesce(sum(n * (n - 1) / 2), 0) from {grouped}"


def measure_identity_accuracy(
    con: duckdb.DuckDBPyConnection, identities_csv: Path, key: HashKey
) -> IdentityAccuracy:
    """Compare marts.customer_identity with a ground truth `person_id,id_type,id_value` file
    (what the warehouse holds hashed is hashed with the deployment's key first)."""
    # ground truth holds what a person owns in clear, under its own names for some types (the
    # registry's ground_truth_id_type); the warehouse holds keyed hashes of some of it
    registered = id_types().values()
    renamed = " ".join(
        f"when '{t.ground_truth_id_type}' then '{t.name}'"
        for t in registered
        if t.ground_truth_id_type != t.name
    )
    id_type_sql = f"case id_type {renamed} else id_type end" if renamed else "id_type"
    hashed = ", ".join(f"'{t.ground_truth_id_type}'" for t in registered if t.is_keyed_hash)
    key.bind(con)
    con.execute(
        f"""
        create or replace temp table _truth as
        select
            person_id,
            {id_type_sql} as id_type,
            case when id_type in ({hashed}) then {keyed_hash_sql("id_value")}
                else id_value end as id_value
        from read_csv(?, header = true, all_varchar = true)
        """,
        [str(identities_csv)],
    )
    con.execute(
        """
        create or replace temp table matched as
        select distinct truth.person_id, identity.customer_id, truth.id_type, truth.id_value
        from _truth as truth
        inner join marts.customer_identity as identity
            on truth.id_type = identity.id_type and truth.id_value = identity.id_value
        """
    )
    compared = con.execute("select count(*) from matched").fetchone()[0]
    predicted = con.execute(f"select {_pairs('customer_id')}").fetchone()[0]
    true = con.execute(f"select {_pairs('person_id')}").fetchone()[0]
    correct = con.execute(f"select {_pairs('customer_id, person_id')}").fetchone()[0]
    return IdentityAccuracy(int(compared), int(predicted), int(true), int(correct))
