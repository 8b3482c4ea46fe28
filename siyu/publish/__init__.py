"""Write-audit-publish: audit the working warehouse, then publish its marts atomically."""
