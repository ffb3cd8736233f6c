"""The Footfall server: device enrolment, idempotent ingest, imports and KPIs over PostgreSQL.

Imported as ``footfall.server``. Never imports torch, ultralytics or OpenCV.
"""
