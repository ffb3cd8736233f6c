-- Stores and their hardware, the crossings devices send, per-minute coverage and the rollups.
--
-- Ids are text on the wire and here (a store, entrance or camera may carry a readable id such
-- as 'lon-01-cam-1'); the default is a random UUID. Every row that belongs to a customer carries
-- org_id, so a scoped query never needs a join to find its organisation.

CREATE TABLE regions (
    region_id   text PRIMARY KEY DEFAULT gen_random_uuid()::text,
    org_id      uuid NOT NULL REFERENCES organisations (org_id) ON DELETE CASCADE,
    code        text NOT NULL CHECK (length(code) BETWEEN 1 AND 64),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, code)
);

CREATE TABLE stores (
    store_id       text PRIMARY KEY DEFAULT gen_random_uuid()::text,
    org_id         uuid NOT NULL REFERENCES organisations (org_id) ON DELETE CASCADE,
    region_id      text REFERENCES regions (region_id) ON DELETE SET NULL,
    code           text NOT NULL CHECK (length(code) BETWEEN 1 AND 64),
    name           text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    timezone       text NOT NULL,
    currency       text NOT NULL DEFAULT 'EUR' CHECK (currency ~ '^[A-Z]{3}$'),
    locale         text NOT NULL DEFAULT 'en_GB',
    floor_area_m2  double precision CHECK (floor_area_m2 > 0),
    address        text,
    -- {"mon": [["08:00", "20:00"]], ..., "sun": []}: local times, several spans a day allowed.
    opening_hours  jsonb NOT NULL DEFAULT '{}'::jsonb,
    -- Local time at which live occupancy resets (the store's business day starts).
    day_starts_at  time NOT NULL DEFAULT '00:00',
    created_at     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, code)
);
CREATE INDEX stores_region_idx ON stores (region_id);

CREATE TABLE entrances (
    entrance_id  text PRIMARY KEY DEFAULT gen_random_uuid()::text,
    store_id     text NOT NULL REFERENCES stores (store_id) ON DELETE CASCADE,
    name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX entrances_store_idx ON entrances (store_id);

CREATE TABLE devices (
    device_id       text PRIMARY KEY DEFAULT gen_random_uuid()::text,
    org_id          uuid NOT NULL REFERENCES organisations (org_id) ON DELETE CASCADE,
    store_id        text NOT NULL REFERENCES stores (store_id) ON DELETE CASCADE,
    hostname        text,
    agent_version   text,
    -- sha256 of the bearer token; the token itself is shown once, at enrolment.
    token_hash      text NOT NULL UNIQUE,
    config_version  integer NOT NULL DEFAULT 1,
    enrolled_at     timestamptz NOT NULL DEFAULT now(),
    revoked_at      timestamptz,
    last_seen_at    timestamptz,
    last_health     jsonb,
    last_health_at  timestamptz
);
CREATE INDEX devices_store_idx ON devices (store_id);

CREATE TABLE enrolment_codes (
    code_hash   text PRIMARY KEY,
    org_id      uuid NOT NULL REFERENCES organisations (org_id) ON DELETE CASCADE,
    store_id    text NOT NULL REFERENCES stores (store_id) ON DELETE CASCADE,
    created_by  uuid,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz,
    device_id   text REFERENCES devices (device_id) ON DELETE SET NULL
);

CREATE TABLE cameras (
    camera_id    text PRIMARY KEY DEFAULT gen_random_uuid()::text CHECK (length(camera_id) <= 64),
    store_id     text NOT NULL REFERENCES stores (store_id) ON DELETE CASCADE,
    device_id    text REFERENCES devices (device_id) ON DELETE SET NULL,
    entrance_id  text REFERENCES entrances (entrance_id) ON DELETE SET NULL,
    name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    source       text,
    calibration  jsonb,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX cameras_store_idx ON cameras (store_id);
CREATE INDEX cameras_device_idx ON cameras (device_id);

-- A counting line in 0..1 fractions of the frame; the inside point says which side is "in".
CREATE TABLE lines (
    camera_id    text NOT NULL REFERENCES cameras (camera_id) ON DELETE CASCADE,
    line_id      text NOT NULL CHECK (length(line_id) BETWEEN 1 AND 64),
    name         text NOT NULL,
    entrance_id  text REFERENCES entrances (entrance_id) ON DELETE SET NULL,
    x1 double precision NOT NULL CHECK (x1 BETWEEN 0 AND 1),
    y1 double precision NOT NULL CHECK (y1 BETWEEN 0 AND 1),
    x2 double precision NOT NULL CHECK (x2 BETWEEN 0 AND 1),
    y2 double precision NOT NULL CHECK (y2 BETWEEN 0 AND 1),
    inside_x double precision NOT NULL CHECK (inside_x BETWEEN 0 AND 1),
    inside_y double precision NOT NULL CHECK (inside_y BETWEEN 0 AND 1),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (camera_id, line_id)
);

-- One person crossing one line. Identity (device_id, seq): a re-delivered event is a no-op.
-- event_time is part of the key only so TimescaleDB can partition on it; a device's outbox
-- never changes an event's time, so the identity is still (device_id, seq).
CREATE TABLE crossing_events (
    device_id     text NOT NULL,
    seq           bigint NOT NULL CHECK (seq >= 1),
    event_time    timestamptz NOT NULL,
    received_at   timestamptz NOT NULL DEFAULT now(),
    store_id      text NOT NULL,
    camera_id     text NOT NULL,
    line_id       text NOT NULL,
    entrance_id   text,
    direction     text NOT NULL CHECK (direction IN ('in', 'out')),
    person_class  text NOT NULL CHECK (person_class IN ('adult', 'child', 'staff')),
    group_id      text,
    track_id      bigint,
    confidence    real,
    height_m      real,
    PRIMARY KEY (device_id, seq, event_time)
);
CREATE INDEX crossing_events_store_time_idx ON crossing_events (store_id, event_time);

-- Whether a camera was counting during one UTC minute ("nobody came" vs "no data").
CREATE TABLE coverage_minutes (
    device_id    text NOT NULL,
    seq          bigint NOT NULL CHECK (seq >= 1),
    minute       timestamptz NOT NULL,
    received_at  timestamptz NOT NULL DEFAULT now(),
    store_id     text NOT NULL,
    camera_id    text NOT NULL,
    processed_s  real NOT NULL CHECK (processed_s BETWEEN 0 AND 60),
    fps          real NOT NULL,
    PRIMARY KEY (device_id, seq, minute)
);
CREATE INDEX coverage_minutes_camera_idx ON coverage_minutes (camera_id, minute);

-- Rollups. traffic_15min and coverage_15min are maintained in the ingest transaction (so a late
-- event lands in its bin at once); bins are UTC quarter hours, which map exactly onto local
-- quarter hours in every whole, half and quarter-hour time zone. Hours, days and weeks in the
-- store's local time are aggregated from them at query time (DST days have 23 or 25 hours).
CREATE TABLE traffic_15min (
    store_id      text NOT NULL,
    camera_id     text NOT NULL,
    line_id       text NOT NULL,
    person_class  text NOT NULL,
    bucket_start  timestamptz NOT NULL,
    entrance_id   text,
    in_count      integer NOT NULL DEFAULT 0,
    out_count     integer NOT NULL DEFAULT 0,
    PRIMARY KEY (store_id, bucket_start, camera_id, line_id, person_class)
);

CREATE TABLE coverage_15min (
    store_id      text NOT NULL,
    camera_id     text NOT NULL,
    bucket_start  timestamptz NOT NULL,
    covered_s     double precision NOT NULL DEFAULT 0,
    PRIMARY KEY (store_id, bucket_start, camera_id)
);

-- Hourly and daily rollups per store and entrance, in UTC, as views over the 15-minute table.
CREATE VIEW traffic_hourly AS
SELECT store_id, entrance_id, person_class, date_trunc('hour', bucket_start) AS bucket_start,
       sum(in_count)::bigint AS in_count, sum(out_count)::bigint AS out_count
FROM traffic_15min
GROUP BY store_id, entrance_id, person_class, date_trunc('hour', bucket_start);

-- Days in the store's own time zone: local_date is the business day as the store sees it.
CREATE VIEW traffic_daily AS
SELECT t.store_id, t.entrance_id, t.person_class,
       (t.bucket_start AT TIME ZONE s.timezone)::date AS local_date,
       sum(t.in_count)::bigint AS in_count, sum(t.out_count)::bigint AS out_count
FROM traffic_15min t JOIN stores s USING (store_id)
GROUP BY t.store_id, t.entrance_id, t.person_class, (t.bucket_start AT TIME ZONE s.timezone)::date;

-- A picture from one camera, asked for by an installer, delivered by the device.
CREATE TABLE snapshot_requests (
    request_id    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    camera_id     text NOT NULL REFERENCES cameras (camera_id) ON DELETE CASCADE,
    requested_by  uuid,
    requested_at  timestamptz NOT NULL DEFAULT now(),
    fulfilled_at  timestamptz,
    jpeg          bytea
);
CREATE INDEX snapshot_requests_camera_idx ON snapshot_requests (camera_id, requested_at DESC);
