"""Who may do what: sign-in, bearer sessions, device tokens and the one place scoping happens.

Endpoints use ``CurrentPrincipal`` / ``CurrentDevice`` (typed dependencies) and the functions
in :mod:`footfall.server.auth.scope`; nothing else decides visibility.
"""

from footfall.server.auth.dependencies import Connection, CurrentDevice, CurrentPrincipal
from footfall.server.auth.principal import ROLES, DevicePrincipal, Principal, Role

__all__ = ["ROLES", "Connection", "CurrentDevice", "CurrentPrincipal", "DevicePrincipal", "Principal", "Role"]
