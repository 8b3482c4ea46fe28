"""Audiences out of the warehouse: per-channel export files and tag and audience counts.

The audiences themselves (boolean expressions over tags) are defined and computed in dbt
(dbt_project/models/marts/tags/audiences.yml -> marts.audience_members); this package only reads
them: `export` writes one CSV per channel (UTF-8 with BOM, for Excel), `summary` counts customers
per tag and audience, `assets` offers the export to Dagster and `python -m siyu.audiences`
both to people.
"""

from siyu.audiences.export import (
    EXPORT_COLUMNS,
    AudienceFile,
    UnknownAudienceError,
    audience_keys,
    audience_rows,
    export_all_audiences,
    export_audience,
    read_audience_file,
)
from siyu.audiences.summary import (
    TagAudienceSummary,
    format_tag_audience_summary,
    summarise_tags_and_audiences,
)

__all__ = [
    "EXPORT_COLUMNS",
    "AudienceFile",
    "TagAudienceSummary",
    "UnknownAudienceError",
    "audience_keys",
    "audience_rows",
    "export_all_audiences",
    "export_audience",
    "format_tag_audience_summary",
    "read_audience_file",
    "summarise_tags_and_audiences",
]
