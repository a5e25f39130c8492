"""Outputs read from results (theater, later plans): files, maps, tables."""
