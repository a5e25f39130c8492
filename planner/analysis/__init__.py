"""Analyses on top of the optimizer: cost-exchange, frontiers, the impenetrability premium, stress tests."""
