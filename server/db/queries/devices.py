"""SQL for enrolled devices, their health and their configuration."""

#: A device that may still talk to us (not revoked), with the cameras it runs.
DEVICE_BY_TOKEN = """
SELECT d.device_id, d.org_id, d.store_id, d.config_version, s.timezone,
       coalesce(array_agg(c.camera_id) FILTER (WHERE c.camera_id IS NOT NULL), '{}') AS camera_ids
FROM devices d JOIN stores s USING (store_id) LEFT JOIN cameras c ON c.device_id = d.device_id
WHERE d.token_hash = %(token_hash)s AND d.revoked_at IS NULL
GROUP BY d.device_id, s.timezone
"""

TOUCH_DEVICE = "UPDATE devices SET last_seen_at = now() WHERE device_id = %(device_id)s"

SAVE_HEALTH = """
UPDATE devices SET last_health = %(health)s, last_health_at = now(), last_seen_at = now(),
                   agent_version = %(agent_version)s
WHERE device_id = %(device_id)s
"""

DEVICES_IN_STORES = """
SELECT d.device_id, d.store_id, d.hostname, d.agent_version, d.enrolled_at, d.revoked_at,
       d.last_seen_at, d.last_health, d.last_health_at, d.config_version,
       coalesce(array_agg(c.camera_id ORDER BY c.camera_id) FILTER (WHERE c.camera_id IS NOT NULL), '{}')
           AS camera_ids
FROM devices d LEFT JOIN cameras c ON c.device_id = d.device_id
WHERE d.store_id = ANY(%(store_ids)s)
GROUP BY d.device_id
ORDER BY d.store_id, d.enrolled_at
"""

DEVICE = "SELECT device_id, org_id, store_id, revoked_at FROM devices WHERE device_id = %(device_id)s"

REVOKE_DEVICE = """
UPDATE devices SET revoked_at = now() WHERE device_id = %(device_id)s AND revoked_at IS NULL
RETURNING revoked_at
"""

DEVICE_CAMERAS = """
SELECT camera_id, name, source, calibration FROM cameras WHERE device_id = %(device_id)s ORDER BY camera_id
"""

DEVICE_LINES = """
SELECT l.camera_id, l.line_id, l.name, coalesce(l.entrance_id, c.entrance_id) AS entrance_id,
       l.x1, l.y1, l.x2, l.y2, l.inside_x, l.inside_y
FROM lines l JOIN cameras c USING (camera_id)
WHERE c.device_id = %(device_id)s ORDER BY l.camera_id, l.line_id
"""

INSERT_SNAPSHOT_REQUEST = """
INSERT INTO snapshot_requests (camera_id, requested_by) VALUES (%(camera_id)s, %(requested_by)s)
RETURNING request_id, camera_id, requested_at
"""

OPEN_SNAPSHOT_REQUESTS = """
SELECT r.request_id, r.camera_id, r.requested_at
FROM snapshot_requests r JOIN cameras c USING (camera_id)
WHERE c.device_id = %(device_id)s AND r.fulfilled_at IS NULL AND r.requested_at > now() - interval '1 hour'
ORDER BY r.requested_at
"""

FULFIL_SNAPSHOT = """
UPDATE snapshot_requests r SET jpeg = %(jpeg)s, fulfilled_at = now()
FROM cameras c
WHERE r.request_id = %(request_id)s AND c.camera_id = r.camera_id AND c.device_id = %(device_id)s
RETURNING r.request_id
"""

LATEST_SNAPSHOT = """
SELECT jpeg, fulfilled_at FROM snapshot_requests
WHERE camera_id = %(camera_id)s AND jpeg IS NOT NULL ORDER BY fulfilled_at DESC LIMIT 1
"""
