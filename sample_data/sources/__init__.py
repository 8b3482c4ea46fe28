"""One builder per landing folder: records in the platform's own format, dated for delivery."""
