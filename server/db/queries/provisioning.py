"""SQL that creates organisations, regions, stores, hardware and users."""

INSERT_ORG = "INSERT INTO organisations (name) VALUES (%(name)s) RETURNING org_id"

INSERT_REGION = """
INSERT INTO regions (region_id, org_id, code, name)
VALUES (coalesce(%(region_id)s, gen_random_uuid()::text), %(org_id)s, %(code)s, %(name)s)
RETURNING region_id
"""

INSERT_STORE = """
INSERT INTO stores (store_id, org_id, region_id, code, name, timezone, currency, locale,
                    floor_area_m2, address, opening_hours, day_starts_at)
VALUES (coalesce(%(store_id)s, gen_random_uuid()::text), %(org_id)s, %(region_id)s, %(code)s, %(name)s,
        %(timezone)s, %(currency)s, %(locale)s, %(floor_area_m2)s, %(address)s, %(opening_hours)s,
        %(day_starts_at)s)
RETURNING store_id
"""

INSERT_ENTRANCE = """
INSERT INTO entrances (entrance_id, store_id, name)
VALUES (coalesce(%(entrance_id)s, gen_random_uuid()::text), %(store_id)s, %(name)s)
RETURNING entrance_id
"""

INSERT_CAMERA = """
INSERT INTO cameras (camera_id, store_id, device_id, entrance_id, name, source, calibration)
VALUES (coalesce(%(camera_id)s, gen_random_uuid()::text), %(store_id)s, %(device_id)s, %(entrance_id)s,
        %(name)s, %(source)s, %(calibration)s)
RETURNING camera_id
"""

CAMERA = """
SELECT c.camera_id, c.store_id, c.device_id, c.entrance_id, c.name, c.source, c.calibration, s.org_id
FROM cameras c JOIN stores s USING (store_id) WHERE c.camera_id = %(camera_id)s
"""

STORE_CAMERAS = """
SELECT camera_id, store_id, device_id, entrance_id, name, source, calibration
FROM cameras WHERE store_id = %(store_id)s ORDER BY camera_id
"""

DELETE_LINES = "DELETE FROM lines WHERE camera_id = %(camera_id)s"

INSERT_LINE = """
INSERT INTO lines (camera_id, line_id, name, entrance_id, x1, y1, x2, y2, inside_x, inside_y)
VALUES (%(camera_id)s, %(line_id)s, %(name)s, %(entrance_id)s, %(x1)s, %(y1)s, %(x2)s, %(y2)s,
        %(inside_x)s, %(inside_y)s)
"""

CAMERA_LINES = """
SELECT line_id, name, entrance_id, x1, y1, x2, y2, inside_x, inside_y
FROM lines WHERE camera_id = %(camera_id)s ORDER BY line_id
"""

BUMP_DEVICE_CONFIG = """
UPDATE devices SET config_version = config_version + 1
WHERE device_id = (SELECT device_id FROM cameras WHERE camera_id = %(camera_id)s)
"""

INSERT_USER = """
INSERT INTO users (org_id, email, name, role, password_hash)
VALUES (%(org_id)s, %(email)s, %(name)s, %(role)s, %(password_hash)s)
RETURNING user_id
"""

ASSIGN_REGION = "INSERT INTO user_regions (user_id, region_id) VALUES (%(user_id)s, %(region_id)s)"

ASSIGN_STORE = "INSERT INTO user_stores (user_id, store_id) VALUES (%(user_id)s, %(store_id)s)"

STORE_ORG = "SELECT org_id, timezone FROM stores WHERE store_id = %(store_id)s"

INSERT_ENROLMENT_CODE = """
INSERT INTO enrolment_codes (code_hash, org_id, store_id, created_by, expires_at)
VALUES (%(code_hash)s, %(org_id)s, %(store_id)s, %(created_by)s, %(expires_at)s)
"""

#: Claims a code exactly once: a second use (or an expired code) returns no row.
CLAIM_ENROLMENT_CODE = """
UPDATE enrolment_codes SET used_at = now()
WHERE code_hash = %(code_hash)s AND used_at IS NULL AND expires_at > now()
RETURNING org_id, store_id
"""

SET_CODE_DEVICE = "UPDATE enrolment_codes SET device_id = %(device_id)s WHERE code_hash = %(code_hash)s"

INSERT_DEVICE = """
INSERT INTO devices (org_id, store_id, hostname, agent_version, token_hash)
VALUES (%(org_id)s, %(store_id)s, %(hostname)s, %(agent_version)s, %(token_hash)s)
RETURNING device_id
"""

#: A newly enrolled device takes over the store's cameras that no device runs yet.
CLAIM_UNASSIGNED_CAMERAS = """
UPDATE cameras SET device_id = %(device_id)s WHERE store_id = %(store_id)s AND device_id IS NULL
"""

STORE_ENTRANCES = "SELECT entrance_id FROM entrances WHERE store_id = %(store_id)s"
