"""Background jobs with a progress record. The API is in `jobs.services`; see its docstring."""
