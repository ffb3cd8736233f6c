"""Footfall: retail foot-traffic and customer analytics.

The distribution holds three deployable parts, each importable on its own:
``footfall.edge`` (camera agent), ``footfall.server`` (ingest + analytics API) and
``footfall.dashboard`` (Dash UI). This package is the small core they share: the wire
contracts and the command line.
"""

__version__ = "0.1.0"
