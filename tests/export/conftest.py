"""The export tests read the hand-made store of tests/data/indicateurs (tests/indicators)."""

from tests.indicators.conftest import store, store_path

__all__ = ["store", "store_path"]
