"""The optimizer: the only package that imports pulp. Layers, bottom up (each imports only those below it):

- ``result``: what a solve hands back (arrays in the problem's index space);
- ``solver``: the pulp/HiGHS/CBC adapter (time limits and deadline, statuses to errors, extraction, MIP starts);
- ``kill_chain`` and ``formulation``: building the MILP (and the robust, multi-world one), no solving;
- ``tasks``: one nation's (or one segment's) MILP, chain of prices, exact-evaluation LP or robust MILP, as run in a worker;
- ``runner``: where tasks run (worker processes, a Dask cluster, this process);
- ``choice``: small knapsacks choosing among plans already found;
- ``strategies``: the whole problem as one model (``full``, ``lp_screen``, fixed-plan evaluation);
- ``segments``: one part's priced model cut into segments along the border, linked by the units they share;
- ``sectors``: the decomposition by nation with a price on money (or of one part by segments);
- ``solve``: which of the two applies;
- ``export``: the whole model for use outside dronewall (pulp, MPS) and the budget's shadow price.

docs/architecture.md describes how they fit.
"""
