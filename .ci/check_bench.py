"""CI: the benchmark's JSON holds every figure, and its totals check passed (times are not
judged here: CI runs at a small scale on a shared machine)."""

import json
import sys

REQUIRED = [
    "dashboard_ratio",
    "all_organisations_dashboard_ratio",
    "list_ratio",
    "api_list_ratio",
    "insights_ratio",
    "find_partners_ratio",
    "recompute_ratio",
    "recompute_from_empty_ratio",
    "incremental_growth",
    "freshness_seconds",
    "freshness_ratio",
    "queries_equal",
    "memory_ratio",
    "totals_check",
    "totals_check_from_empty",
    "targets_met",
    "import_ratio",
    "import_check_ratio",
    "check_memory_ratio",
    "download_memory_ratio",
    "round_trip_changes",
    "register_csv_memory_ratio",
]

with open(sys.argv[1], encoding="utf-8") as handle:
    figures = json.load(handle)
# Every figure with a target too (the benchmark judges each one it has a target for).
required = [*REQUIRED, *(name for name in figures.get("targets_met", {}) if name not in REQUIRED)]
missing = [name for name in required if figures.get(name) is None]
if missing:
    sys.exit(f"benchmark JSON lacks: {', '.join(missing)}")
for check in ("totals_check", "totals_check_from_empty"):
    if not figures[check]["passed"]:
        sys.exit(f"the recompute and the hand-written SQL disagree: {check} {figures[check]}")
if figures["round_trip_changes"] != 0:
    sys.exit(
        f"importing the initiatives download would change things: {figures['round_trip_counts']}"
        f" {figures['round_trip_problems']}"
    )
for name in ("national", "tenth"):
    if not figures["queries"][name]:
        sys.exit(f"no query counts at the {name} scale")
    pages = ("api_initiatives_list", "insights", "health_section", "find_partners", "claims_list")
    for page in (*pages, "api_claims", "api_organisations", "api_register"):
        if not figures["queries"][name].get(page):
            sys.exit(f"no query count for {page} at the {name} scale")
for name in ("national", "tenth"):
    if not figures["sizes"][name]["tables"]:
        sys.exit(f"no table sizes at the {name} scale")
print("benchmark JSON complete; totals check passed")
