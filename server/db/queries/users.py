"""SQL for managing people within one organisation."""

USERS_OF_ORG = """
SELECT u.user_id, u.email, u.name, u.role, u.created_at, u.disabled_at,
       coalesce(array_agg(DISTINCT ur.region_id) FILTER (WHERE ur.region_id IS NOT NULL), '{}') AS region_ids,
       coalesce(array_agg(DISTINCT us.store_id) FILTER (WHERE us.store_id IS NOT NULL), '{}') AS store_ids
FROM users u
LEFT JOIN user_regions ur ON ur.user_id = u.user_id
LEFT JOIN user_stores us ON us.user_id = u.user_id
WHERE u.org_id = %(org_id)s
GROUP BY u.user_id ORDER BY u.email
"""

USER_IN_ORG = "SELECT user_id, email FROM users WHERE user_id = %(user_id)s AND org_id = %(org_id)s"

REGIONS_IN_ORG = "SELECT region_id FROM regions WHERE org_id = %(org_id)s AND region_id = ANY(%(ids)s)"

STORES_IN_ORG = "SELECT store_id FROM stores WHERE org_id = %(org_id)s AND store_id = ANY(%(ids)s)"
