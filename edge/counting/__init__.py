"""Counting at lines: pure geometry, the late-count state machine, who counts."""
