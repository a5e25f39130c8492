"""Short text and HTML views of a scenario and a plan, for a console (``repr``) and a notebook (``_repr_html_``):
a few lines a person reads, not the objects' contents (``repr`` of a plan's dataclass ran to 67,638 characters)."""

from __future__ import annotations

from html import escape
from typing import Any

__all__ = ["plan_html", "plan_lines", "plan_text", "scenario_html", "scenario_lines", "scenario_text"]


def _bn(eur: float) -> str:
    return f"€{eur / 1e9:.2f}bn"


def scenario_lines(sc: Any) -> list[tuple[str, str]]:
    """(label, value) rows of a scenario (planner.config.io.Scenario)."""
    cfg = sc.config
    defenders = cfg.geodata.defenders
    return [("scenario", f"{cfg.name} [{sc.short_hash()}]"),
            ("defenders", f"{len(defenders)}: {', '.join(defenders)}" if len(defenders) <= 9
             else f"{len(defenders)}: {', '.join(defenders[:8])}, …"),
            ("budget", f"{_bn(cfg.budget.total_eur)} over {cfg.budget.horizon_years} years"),
            ("threat classes", ", ".join(dict.fromkeys(d.threat for d in cfg.threats.density))),
            ("objective", cfg.objective.kind + (f", conventional weight {cfg.objective.conventional_weight:g}"
                                                if cfg.objective.kind == "max_defeat" else "")),
            ("from", str(sc.path))]


def plan_lines(plan: Any) -> list[tuple[str, str]]:
    """(label, value) rows of a plan (planner.plan.Plan): money, rates (exact evaluation), units, the solve."""
    s = plan.summary
    spend = s["spend_eur"]
    sv = s["solver"]
    units = int(plan.units["units"].sum()) if len(plan.units) else 0
    sites = plan.units["site_id"].nunique() if len(plan.units) else 0
    gap = sv.get("gap")
    return [("plan", f"{s['scenario']} [{s['config_hash'][:8]}]"),
            ("spend", f"{_bn(spend['total'])} of {_bn(s['budget_eur'])}: drone defence {_bn(spend['drone_defence'])}, "
                      f"conventional {_bn(spend['conventional'])}"),
            ("drones defeated", f"{100 * s['defeat_rate_all_exact']:.1f}% of {s['drones_over_horizon']:,.0f} over "
                                f"{s['horizon_years']} years (exact evaluation)"),
            ("units", f"{units} at {sites} sites"),
            ("solver", f"{sv['status']}" + (f", proven within {100 * gap:.2f}%" if gap is not None else "")),
            ("tables", "threats, spend, units, cells, sites, conventional, exchange; geo_cells(), geo_sites()")]


def _text(kind: str, rows: list[tuple[str, str]]) -> str:
    width = max(len(k) for k, _ in rows)
    return f"<{kind}\n" + "\n".join(f"  {k:<{width}}  {v}" for k, v in rows) + "\n>"


def _html(rows: list[tuple[str, str]]) -> str:
    body = "".join(f"<tr><th style='text-align:left'>{escape(k)}</th><td style='text-align:left'>{escape(v)}</td></tr>"
                   for k, v in rows)
    return f"<table>{body}</table>"


def scenario_text(sc: Any) -> str:
    return _text("Scenario", scenario_lines(sc))


def scenario_html(sc: Any) -> str:
    return _html(scenario_lines(sc))


def plan_text(plan: Any) -> str:
    return _text("Plan", plan_lines(plan))


def plan_html(plan: Any) -> str:
    return _html(plan_lines(plan)) + plan.threats.head(12).to_html(index=False, float_format=lambda x: f"{x:,.3g}")
