"""Pieces every page uses: the access guard, page header, empty, error and refusal states."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html
from footfall.dashboard.errors import ApiUnavailable, DashboardError, NotFound, NotOffered, NotSignedIn
from footfall.dashboard.navigation import PageEntry, may_open
from footfall.dashboard.session import LOGIN_PATH, current_user


def guarded(page: PageEntry, build: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a page layout: signed-out people go to sign-in, other roles see a plain refusal."""

    def layout(**query: str) -> Any:
        user = current_user()
        if user is None:
            return dcc.Location(id="redirect-login", href=f"{LOGIN_PATH}?next={page.path}", refresh=True)
        if not may_open(user.role, page):
            return not_available("This page is not part of your role.", title=page.title)
        return build(user, **query)

    return layout


def page_header(title: str, subtitle: str | None = None, *extra: Any) -> html.Div:
    return html.Div(
        [
            html.Div(
                [html.H2(title, className="mb-0"), html.Div(subtitle, className="text-muted small")]
                if subtitle
                else [html.H2(title, className="mb-0")]
            ),
            html.Div(list(extra), className="d-flex gap-2 flex-wrap align-items-end"),
        ],
        className="d-flex justify-content-between align-items-end flex-wrap gap-3 mb-3",
    )


def not_available(message: str, *, title: str = "Not available") -> dbc.Alert:
    return dbc.Alert(
        [html.H4(title, className="alert-heading"), html.P(message, className="mb-0")],
        color="secondary",
        className="not-available",
    )


def empty_state(title: str, advice: str, *, icon: str = "○") -> html.Div:
    """What is missing and what to do about it, instead of a blank area."""
    return html.Div(
        [
            html.Div(icon, className="empty-icon"),
            html.H5(title),
            html.P(advice, className="text-muted mb-0"),
        ],
        className="empty-state",
    )


def error_state(error: DashboardError) -> dbc.Alert:
    """One message per kind of failure, said the way a store manager would understand it."""
    if isinstance(error, NotSignedIn):
        return dbc.Alert(
            ["Your session has ended. ", html.A("Sign in again", href=LOGIN_PATH, className="alert-link")],
            color="warning",
        )
    if isinstance(error, NotOffered):
        return empty_state(
            "Not available on this server yet",
            f"This view needs a newer Footfall server ({error}). Ask your administrator to upgrade it.",
            icon="⧗",
        )
    if isinstance(error, NotFound):
        return not_available("This store does not exist or is not part of your stores.")
    if isinstance(error, ApiUnavailable):
        return dbc.Alert(f"The Footfall server is not answering: {error}. Retrying…", color="danger")
    return dbc.Alert(str(error), color="danger")


def choose_store(
    stores_of_user: Callable[[], list[dict]],
    store_id: str | None,
    *,
    default: Callable[[list[dict]], dict] = lambda stores: stores[0],
) -> tuple[list[dict], str] | Any:
    """The caller's stores and the one to show, or the state to show instead.

    Returns ``(stores, store_id)``, or a component: the error, "no store yet", or "not
    available" for a store outside the caller's list (which the server scopes), so a page
    never reveals whether another organisation's store exists.
    """
    try:
        stores = stores_of_user()
    except DashboardError as error:
        return error_state(error)
    if not stores:
        return empty_state(
            "No store yet", "You have no store assigned. Ask your HQ admin to add you to a store."
        )
    chosen = store_id or default(stores)["store_id"]
    if chosen not in {s["store_id"] for s in stores}:
        return not_available("This store does not exist or is not part of your stores.")
    return stores, chosen


def store_options(stores: list[dict]) -> list[dict]:
    return [
        {
            "label": f"{s['name']} ({s.get('code') or s.get('region_name') or ''})".replace(" ()", ""),
            "value": s["store_id"],
        }
        for s in sorted(stores, key=lambda s: s["name"])
    ]
