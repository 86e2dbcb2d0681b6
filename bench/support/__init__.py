"""Shared pieces of the benchmarks that run the web application (bench-only, never in src/).

- `postgres`: a fresh `kc_bench_*` database on the local PostgreSQL for one run, dropped after;
- `environment`: the process environment and Django set-up (settings `bench.support.settings`);
- `settings` and `urls`: the application's own settings and URLs plus the bench pages (`views`):
  the write path's floor (a view that only inserts the reading) and the empty page;
- `data`: clinics, staff, charts, plans and chair-side states built through the services;
- `report`: percentiles, tables, machine facts.
"""
