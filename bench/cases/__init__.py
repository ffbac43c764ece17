"""One module per group of cases; each exposes `cases(ctx) -> list[Row]`, which never raises."""
