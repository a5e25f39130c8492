"""The axis each field of :class:`planner.problem.PlanningProblem` runs along, which its ``subset`` (a nation's
sector, a segment) slices by: cells, sites, detection pairs, engagement pairs, point-defence pairs, escort pairs,
conventional options (a sector has none), or shared (kept whole: catalogs, nations, scalars). A new field must be
listed (tests/test_problem_axes.py)."""

from __future__ import annotations

__all__ = ["AXES", "INDEXES"]

AXES: dict[str, tuple[str, ...]] = {
    "cell": ("cell_ids", "cell_nation", "cell_no_fire", "cell_engage", "cell_asset_value", "demand", "value",
             "harm_eur", "engage_share", "escort_due"),
    "site": ("site_ids", "site_nation", "site_no_fire", "mag_share", "in_service_sensors", "in_service_effectors",
             "esc_share"),
    "det": ("det_cell", "det_threat", "det_site", "det_sensor", "det_weight"),
    "eng": ("eng_cell", "eng_threat", "eng_site", "eng_effector"),
    "pt": ("pt_cell", "pt_threat", "pt_site", "pt_effector", "pt_share", "pt_magazine", "pt_route", "pt_order"),
    "esc": ("esc_cell", "esc_threat", "esc_site", "esc_effector"),
    "conv": ("conv_ids", "conv_unit_cost_eur", "conv_operating_eur_per_year", "conv_score", "conv_min_units",
             "conv_area_points", "conv_max_units"),
    "shared": ("name", "config_hash", "nations", "threat_ids", "threat_decoy", "threat_unit_cost_eur", "sensor_ids",
               "sensor_unit_cost_eur", "sensor_operating_eur_per_year", "effector_ids", "effector_unit_cost_eur",
               "effector_operating_eur_per_year", "effector_kinetic", "effector_shots", "effector_cost_per_shot_eur",
               "effector_magazine", "p_kill", "budget_eur", "nation_cap_eur", "horizon_years", "raids_per_year",
               "surge_factor", "decoy_discrimination", "objective", "conventional_weight", "conventional_floor",
               "defeat_targets", "solver", "min_detection", "area_ids", "area_below", "area_beyond",
               "area_beyond_share", "value_unit_eur", "layer_rank", "layer_follow", "effector_look", "effector_escorts",
               "effector_p_meet", "effector_sortie_eur", "min_escort",
               "sensor_max_units", "effector_max_units"),
}
#: Pair fields that hold a cell's or a site's index (renumbered in a sector).
INDEXES = {"det_cell": "cell", "det_site": "site", "eng_cell": "cell", "eng_site": "site", "pt_cell": "cell",
           "pt_site": "site", "esc_cell": "cell", "esc_site": "site"}
