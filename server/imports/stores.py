"""How an import file names a store: by its code (``LDN-01``) or its id, within the caller's scope."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from footfall.server.imports.normalise import FieldError, country_of_locale, required


@dataclass(frozen=True, slots=True)
class StoreRef:
    store_id: str
    code: str
    timezone: str
    currency: str
    locale: str | None = None

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def country(self) -> str | None:
        return country_of_locale(self.locale)


class StoreDirectory:
    """The stores an import may write to, looked up by code (case-insensitive) or id."""

    def __init__(self, stores: list[StoreRef]) -> None:
        self._by_key: dict[str, StoreRef] = {}
        for store in stores:
            self._by_key[store.code.strip().lower()] = store
            self._by_key[str(store.store_id).lower()] = store

    def find(self, value: str | None, name: str = "store") -> StoreRef:
        key = required(value, name)
        store = self._by_key.get(key.lower())
        if store is None:
            raise FieldError(f"{name} {key[:64]!r} is not a store you can import for (use the store code)")
        return store

    @property
    def stores(self) -> list[StoreRef]:
        return list({s.store_id: s for s in self._by_key.values()}.values())

    def __len__(self) -> int:
        return len(self.stores)
