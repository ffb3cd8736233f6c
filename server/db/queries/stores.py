"""SQL for regions and stores, always filtered by the caller's visible store ids."""

REGIONS = """
SELECT r.region_id, r.code, r.name, count(s.store_id) AS store_count
FROM regions r JOIN stores s ON s.region_id = r.region_id
WHERE s.store_id = ANY(%(store_ids)s)
GROUP BY r.region_id ORDER BY r.name
"""

STORES = """
SELECT s.store_id, s.name, s.code, s.region_id, r.name AS region_name, s.timezone, s.currency, s.locale,
       s.floor_area_m2, s.opening_hours, s.address, s.day_starts_at
FROM stores s LEFT JOIN regions r ON r.region_id = s.region_id
WHERE s.store_id = ANY(%(store_ids)s)
ORDER BY s.code
"""

STORE_TIMEZONE = "SELECT timezone, day_starts_at FROM stores WHERE store_id = %(store_id)s"

ENTRANCES = "SELECT entrance_id, name FROM entrances WHERE store_id = %(store_id)s ORDER BY name, entrance_id"
