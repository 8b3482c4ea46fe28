"""The HTML report: chart sections rendered from the marts into one page."""
