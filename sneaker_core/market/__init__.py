"""The local GOAT-like demo marketplace: synthetic (or CSV) catalog, lazy search pages, JSON API, images."""

from sneaker_core.market.catalog import Catalog, Product
from sneaker_core.market.catalog_gen import generate_catalog
from sneaker_core.market.faults import FaultSpec
from sneaker_core.market.server import DemoMarket, serve_foreground

__all__ = ["Catalog", "DemoMarket", "FaultSpec", "Product", "generate_catalog", "serve_foreground"]
