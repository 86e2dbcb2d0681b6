"""`ketacare seed`: synthetic clinics, charts, courses and monitored sessions at scale.

Deterministic from the seed (each clinic, patient and session draws from its own
`random.Random` keyed by the seed and its position), bulk-written (COPY on PostgreSQL), every
medical decision taken by the clinical core. Modules: `rates` (how often things happen, with
their sources), `vitals` (what the vital signs do after a dose), `charts` (record, chart,
review), `course` (plan, orders, sessions), `sessions` (the chair-side record of one session),
`tables` and `sink` (rows to tables), `work` and `worker` (chunks, worker processes),
`run` (the job). Nothing is imported here: a worker process imports this package before
Django is set up.
"""
