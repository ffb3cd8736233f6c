"""Imports of POS sales, CRM customers and staff hours: parse → validate → normalise → report.

Everything here except :mod:`.apply` is pure: it turns the bytes of a CSV or JSON file
plus what the database already knows (stores, existing ids and contacts) into normalised
rows and a per-row report. :mod:`.apply` writes an import in ONE transaction, and only
when no row was rejected, so a malformed file never half-lands.
"""
