"""What every /api/v1/ view shares: the caller, its key, errors, limits and pages."""
