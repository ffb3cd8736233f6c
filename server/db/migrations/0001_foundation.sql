-- Foundation: organisations. Later migrations add stores, devices, crossings and rollups.
CREATE TABLE organisations (
    org_id      uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name        text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 200),
    created_at  timestamptz NOT NULL DEFAULT now()
);
