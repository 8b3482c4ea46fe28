"""Withdrawal of a loaded file: its rows leave raw, the next build rebuilds without them."""
