-- Device health over time, for installers asking "when was this camera down?".
--
-- One row per unchanged stretch of heartbeats (run-length): a heartbeat whose camera states
-- equal the device's latest row, and that follows it within a few minutes, only extends that
-- row (last_report_at, reports). Agents report every minute, so one row per report would be
-- 86 million rows a month for 2,000 stores; stretches are a handful per device per day, and
-- a silence (device off, network down) still shows as a gap between two rows.
-- Kept for a limited time (FOOTFALL_DEVICE_HEALTH_HISTORY_DAYS, default 30): the server prunes
-- whenever a new stretch starts.
CREATE TABLE device_health_history (
    entry_id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    device_id             text NOT NULL REFERENCES devices (device_id) ON DELETE CASCADE,
    first_report_at       timestamptz NOT NULL,
    last_report_at        timestamptz NOT NULL,
    reports               integer NOT NULL DEFAULT 1 CHECK (reports >= 1),
    -- "camera=state;..." sorted: what must stay equal for a heartbeat to extend the stretch.
    state_key             text NOT NULL,
    -- [{camera_id, state, reason}] as first reported in the stretch (the reason for the change).
    cameras               jsonb NOT NULL,
    agent_version         text,
    max_outbox_backlog    integer NOT NULL DEFAULT 0,
    disk_budget_exceeded  boolean NOT NULL DEFAULT false,
    CHECK (last_report_at >= first_report_at)
);
CREATE INDEX device_health_history_device_idx ON device_health_history (device_id, last_report_at DESC);
CREATE INDEX device_health_history_age_idx ON device_health_history (last_report_at);
