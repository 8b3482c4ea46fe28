"""The report page: one self-contained HTML file that embeds each section's PNG beside it."""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from siyu.reports.sections import ReportSection

PAGE_NAME = "report.html"

STYLE = """
body { font-family: -apple-system, "Segoe UI", "PingFang SC", "Microsoft YaHei", sans-serif;
       margin: 2rem auto; max-width: 72rem; color: #222; padding: 0 1rem; }
nav a { margin-right: 1rem; }
section { margin: 2.5rem 0; }
img { max-width: 100%; border: 1px solid #ddd; }
table.numbers { border-collapse: collapse; font-size: 0.85rem; margin-top: 0.8rem; }
table.numbers th, table.numbers td { padding: 0.2rem 0.6rem; border-bottom: 1px solid #eee;
                                     text-align: right; }
p.note { color: #555; }
"""


def render_page(
    sections: Sequence[ReportSection], out_dir: Path, title: str, generated_at: datetime
) -> Path:
    """Write out_dir/report.html with the sections in order; images are linked relatively."""
    out_dir.mkdir(parents=True, exist_ok=True)
    nav = " ".join(
        f'<a href="#{html.escape(section.key)}">{html.escape(section.title)}</a>'
        for section in sections
    )
    blocks = []
    for section in sections:
        parts = [
            f'<section id="{html.escape(section.key)}">',
            f"<h2>{html.escape(section.title)}</h2>",
        ]
        if section.description:
            parts.append(f'<p class="note">{html.escape(section.description)}</p>')
        if section.image_path is not None:
            source = html.escape(_relative(section.image_path, out_dir))
            parts.append(f'<img src="{source}" alt="{html.escape(section.title)}">')
        if section.table_html:
            # produced by sections.table_html (DataFrame.to_html with escaping)
            parts.append(section.table_html)
        parts.append("</section>")
        blocks.append("\n".join(parts))
    page = "\n".join(
        [
            "<!doctype html>",
            '<html lang="en"><head><meta charset="utf-8">',
            f"<title>{html.escape(title)}</title>",
            f"<style>{STYLE}</style></head><body>",
            f"<h1>{html.escape(title)}</h1>",
            f'<p class="note">Generated {generated_at:%Y-%m-%d %H:%M} from the siyu marts.</p>',
            f"<nav>{nav}</nav>",
            *blocks,
            "</body></html>",
        ]
    )
    path = out_dir / PAGE_NAME
    path.write_text(page, encoding="utf-8")
    return path


def _relative(image: Path, out_dir: Path) -> str:
    try:
        return image.resolve().relative_to(out_dir.resolve()).as_posix()
    except ValueError:
        return image.resolve().as_uri()
