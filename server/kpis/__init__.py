"""Retail KPIs: every definition and formula in :mod:`.definitions` (pure); periods and store
time zones in :mod:`.periods`; customer analytics (RFM, lifetime value) and anomaly rules are
formulas too, so they live in :mod:`.definitions` as well. :mod:`.service` fetches the inputs
(SQL in ``footfall.server.db.queries.kpis``) and applies the definitions.
"""
