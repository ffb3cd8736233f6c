"""The edge agent: camera → detect → track → count at the line → outbox → upload.

Imported as ``footfall.edge``. Never imports server, web-framework or database code.
"""
