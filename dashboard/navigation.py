"""Which pages each role sees, in one table: the navbar and every page guard read it.

Hiding a page is for clarity, not security: the server scopes every answer by the user's
token anyway. The table mirrors the server's roles (hq_admin, regional_manager,
store_manager, installer, analyst).
"""

from __future__ import annotations

from dataclasses import dataclass

ROLES = ("hq_admin", "regional_manager", "store_manager", "installer", "analyst")
ROLE_LABELS = {
    "hq_admin": "HQ admin",
    "regional_manager": "Regional manager",
    "store_manager": "Store manager",
    "installer": "Installer",
    "analyst": "Analyst",
}


@dataclass(frozen=True)
class PageEntry:
    path: str
    title: str
    roles: frozenset[str]


LIVE = PageEntry("/live", "Live store", frozenset({"hq_admin", "regional_manager", "store_manager"}))
COMPARISON = PageEntry(
    "/comparison", "Branch comparison", frozenset({"hq_admin", "regional_manager", "analyst"})
)
CUSTOMERS = PageEntry(
    "/customers", "Customers", frozenset({"hq_admin", "regional_manager", "store_manager", "analyst"})
)
INSTALLER = PageEntry("/installer", "Installation", frozenset({"hq_admin", "installer"}))

PAGES = (LIVE, COMPARISON, CUSTOMERS, INSTALLER)


def visible_pages(role: str | None) -> list[PageEntry]:
    """The pages a role may open, in navbar order; none for an unknown role."""
    return [page for page in PAGES if role in page.roles]


def home_for(role: str | None) -> str:
    """Where a role lands after signing in: its first page (the sign-in page for nobody)."""
    pages = visible_pages(role)
    return pages[0].path if pages else "/login"


def may_open(role: str | None, page: PageEntry) -> bool:
    return role in page.roles
