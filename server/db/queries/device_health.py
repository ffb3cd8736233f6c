"""SQL for the device health history (migration 0008): stretches of unchanged heartbeats."""

#: Extend the device's latest stretch when the cameras are as before and the device was not
#: silent in between; otherwise start a new one. One statement, so a heartbeat costs one
#: round trip; returns a row only when a new stretch was started.
RECORD_HEALTH = """
WITH latest AS (
    SELECT entry_id, state_key, last_report_at
    FROM device_health_history
    WHERE device_id = %(device_id)s
    ORDER BY last_report_at DESC
    LIMIT 1
    FOR UPDATE
), extended AS (
    UPDATE device_health_history h
    SET last_report_at = greatest(h.last_report_at, %(at)s),
        reports = h.reports + 1,
        max_outbox_backlog = greatest(h.max_outbox_backlog, %(outbox_backlog)s),
        disk_budget_exceeded = h.disk_budget_exceeded OR %(disk_budget_exceeded)s,
        agent_version = %(agent_version)s
    FROM latest
    WHERE h.entry_id = latest.entry_id
      AND latest.state_key = %(state_key)s
      AND %(at)s - latest.last_report_at <= make_interval(secs => %(silence_s)s)
    RETURNING h.entry_id
)
INSERT INTO device_health_history (
    device_id, first_report_at, last_report_at, state_key, cameras, agent_version,
    max_outbox_backlog, disk_budget_exceeded
)
SELECT %(device_id)s, %(at)s, %(at)s, %(state_key)s, %(cameras)s, %(agent_version)s,
       %(outbox_backlog)s, %(disk_budget_exceeded)s
WHERE NOT EXISTS (SELECT 1 FROM extended)
RETURNING entry_id
"""

#: Retention; cheap through the index on last_report_at, and run only when a stretch starts.
PRUNE_HEALTH = """
DELETE FROM device_health_history WHERE last_report_at < %(before)s
"""

HEALTH_HISTORY = """
SELECT first_report_at, last_report_at, reports, cameras, agent_version, max_outbox_backlog,
       disk_budget_exceeded
FROM device_health_history
WHERE device_id = %(device_id)s AND last_report_at >= %(since)s
ORDER BY last_report_at DESC
LIMIT %(limit)s
"""
