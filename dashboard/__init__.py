"""The Footfall dashboard (Plotly Dash). Reaches data only through the server's HTTP API.

Imported as ``footfall.dashboard``.
"""
