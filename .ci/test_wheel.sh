#!/usr/bin/env bash
# The wheel as a user gets it (issue #17): build it from the repository, install it in a fresh venv in an empty
# folder outside the repository (its dependencies from the registry), and from that folder run the shipped scenario
# by name and brief it. Fails if the wheel misses a module, package data or the shipped configs/geodata
# (installed under <venv>/share/dronewall, planner/config/shipped.py).
# Usage: .ci/test_wheel.sh [PYTHON]   (default: the repository's .venv/bin/python; it builds and makes the venv)
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
python="${1:-$repo/.venv/bin/python}"
scenario=eastern-flank

tmp="$(mktemp -d "${TMPDIR:-/tmp}/dronewall-wheel.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
src="$tmp/src" dist="$tmp/dist" env="$tmp/venv" work="$tmp/empty"
mkdir -p "$src" "$dist" "$work"
case "$work" in "$repo"/*) echo "test_wheel: $work is inside the repository" >&2; exit 1 ;; esac

step() { # step NAME COMMAND...: run it, say how long it took
  local t0=$SECONDS
  "${@:2}"
  echo "test_wheel: $1 in $((SECONDS - t0)) s"
}

# Build from a copy of the files git would ship (tracked and untracked-not-ignored): no stale build/ or
# *.egg-info of the checkout goes into the wheel, and the checkout is not written to.
copy_source() {
  if git -C "$repo" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    (cd "$repo" && git ls-files -z --cached --others --exclude-standard \
      | while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done \
      | tar --null -T - -cf -) | tar -xf - -C "$src"
  else
    (cd "$repo" && tar --exclude=.venv --exclude=.venv-lowest --exclude=out --exclude=build --exclude=dist \
      --exclude='*.egg-info' -cf - .) | tar -xf - -C "$src"
  fi
}
build() { "$python" -m pip wheel --quiet --no-deps -w "$dist" "$src"; }
install_wheel() {
  "$python" -m venv "$env"
  "$env/bin/python" -m pip install --quiet --upgrade pip
  "$env/bin/python" -m pip install --quiet "$dist"/dronewall-*.whl
}
run() { "$env/bin/dronewall" run "$scenario" --out x; }
brief() { "$env/bin/dronewall" brief x; }

t_all=$SECONDS
step "copy source" copy_source
step "build wheel" build
ls "$dist"/dronewall-*.whl
step "venv + install" install_wheel

cd "$work" # empty, outside the repository: nothing of it is importable from here
"$env/bin/python" -c "import planner, sys; assert 'site-packages' in planner.__file__, planner.__file__"
"$env/bin/python" -c "from planner.config.shipped import shipped_root; import sys; r = shipped_root(); \
assert r is not None and str(r).startswith(sys.prefix), r"
step "dronewall run $scenario --out x" run
step "dronewall brief x" brief

missing=()
for f in x/plan.json x/plan.gpkg x/brief/briefing.html x/brief/briefing.pdf x/brief/interactive-map.html \
         x/brief/brief.json x/brief/maps/map-overview.png x/brief/maps/map-overview.pdf x/brief/charts/spending.png \
         x/brief/charts/spending.pdf; do
  [ -s "$f" ] || missing+=("$f")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "test_wheel: missing or empty: ${missing[*]}" >&2
  exit 1
fi
echo "test_wheel: OK, $(ls "$dist") installed in a fresh venv ran and briefed $scenario (total $((SECONDS - t_all)) s)"
