"""Writing a Monte Carlo over the catalogs: uncertainty.csv, uncertainty.json and a histogram, atomically."""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from planner.analysis.uncertainty import UncertaintyResult
from planner.output import atomic_output_dir
from planner.report.plan import _clean, _records


def write_uncertainty(result: UncertaintyResult, out: Path, *, dpi: int = 150) -> Path:
    with atomic_output_dir(Path(out)) as tmp:
        result.draws.to_csv(tmp / "uncertainty.csv", index=False)
        (tmp / "uncertainty.json").write_text(json.dumps(_clean({**result.summary,
                                                                  "draws": _records(result.draws)}), indent=2) + "\n")
        m = result.summary
        fig, ax = plt.subplots(figsize=(8, 4.5))
        ax.hist(100 * result.draws["defeat_rate_value"], bins=min(30, max(5, m["draws"] // 4)), color="#0072b2",
                edgecolor="white")
        ax.axvline(100 * m["nominal_rate"], color="#1b1b1b", lw=2, label=f"nominal {100 * m['nominal_rate']:.1f}%")
        ax.axvline(100 * m["target"], color="#d55e00", ls=":", lw=2,
                   label=f"target {100 * m['target']:.1f}% (missed in {100 * m['p_miss_target']:.0f}% of draws)")
        ax.set_xlabel("drones defeated, value-weighted (%), exact evaluation per draw")
        ax.set_ylabel("draws")
        ax.set_title(f"{m['scenario']} [{m['config_hash'][:8]}]: the plan over {m['draws']} catalog draws "
                     f"(seed {m['seed']})", fontsize=10)
        ax.legend(fontsize=8)
        fig.tight_layout()
        fig.savefig(tmp / "uncertainty.png", dpi=dpi)
        plt.close(fig)
    return Path(out)
