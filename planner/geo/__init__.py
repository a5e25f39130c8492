"""Geometry: borders, territory, assets, cells and candidate sites. Knows nothing of the LP."""
