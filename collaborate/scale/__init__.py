"""Scale tooling, not the product: the national-scale data generator and the benchmark.

Only the management commands `generate_data` and `bench` import this package; the product
never does (an import-linter contract holds it to that)."""
