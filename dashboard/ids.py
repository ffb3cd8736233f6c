"""Component ids, in one place so callbacks and tests agree."""

SERVER_STATUS = "server-status"
STATUS_INTERVAL = "status-interval"
