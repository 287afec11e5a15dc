#!/usr/bin/env bash
# nightly.sh — the nightly energy regression gate, ready made:
#   1. run the nightly scenario (appending the run to the history store),
#   2. compare it with the last accepted baseline (joulebench compare: Markdown summary + JUnit XML),
#   3. accept the run as the new baseline only when the run and the comparison passed.
# The first night has no baseline: its run is accepted when it passes its own budgets.
#
# usage: scripts/nightly.sh [--scenario FILE] [--state DIR] [--quick] [--max-regression P] [--noise P]
#                           [--threshold P] [--gate LIST] [--allow-host-change] [-- extra flags for joulebench run]
#   --scenario FILE     scenario to run (default scenarios/nightly.yaml)
#   --state DIR         where runs, the baseline, the history, summary.md and junit.xml live (default results/nightly)
#   --quick             short windows: a smoke test of the job, not a measurement
#   --max-regression P, --noise P, --threshold P, --gate LIST, --allow-host-change   passed to joulebench compare
# environment: JOULEBENCH  the command to run (default: this checkout's bin/joulebench.js, else npx joulebench)
#              GITHUB_STEP_SUMMARY  when set, the Markdown summary is appended to it
# exit: 0 passed (baseline updated), 1 a regression or a broken budget (baseline kept), 2 bad input or runs that
#       cannot be compared (e.g. another host), 3 the run failed
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
scenario="$here/scenarios/nightly.yaml"
state="results/nightly"
run_flags=()
compare_flags=()

usage() { sed -n '8,17p' "$0" | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
  case "$1" in
    --scenario) scenario="${2:?--scenario needs a file}"; shift 2 ;;
    --state) state="${2:?--state needs a folder}"; shift 2 ;;
    --quick) run_flags+=(--quick); shift ;;
    --max-regression|--noise|--threshold|--gate) compare_flags+=("$1" "${2:?$1 needs a percentage}"); shift 2 ;;
    --allow-host-change) compare_flags+=("$1"); shift ;;
    -h|--help) usage; exit 0 ;;
    --) shift; run_flags+=("$@"); break ;;
    *) echo "nightly.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
done

if [ -n "${JOULEBENCH:-}" ]; then read -r -a joulebench <<< "$JOULEBENCH"
elif [ -f "$here/dist/cli/main.js" ]; then joulebench=(node "$here/bin/joulebench.js")
else joulebench=(npx --no-install joulebench)
fi

mkdir -p "$state/runs" "$state/baseline"
baseline="$state/baseline/result.json"
summary="$state/summary.md"
junit="$state/junit.xml"
rm -f "$summary" "$junit"

publish_summary() {
  if [ -n "${GITHUB_STEP_SUMMARY:-}" ] && [ -f "$summary" ]; then cat "$summary" >> "$GITHUB_STEP_SUMMARY"; fi
}

# 1. Run. --json prints result.json on stdout (progress and the budget verdicts go to stderr).
set +e
"${joulebench[@]}" run "$scenario" --out "$state/runs" --history "$state/history" --json ${run_flags[@]+"${run_flags[@]}"} > "$state/last-run.json"
run_rc=$?
set -e
if [ "$run_rc" -ne 0 ] && [ "$run_rc" -ne 1 ]; then
  echo "nightly.sh: the run failed (exit $run_rc); baseline kept" >&2
  printf '## joulebench nightly: ❌ the run failed (exit %s)\n\nSee the job log. The baseline was kept.\n' "$run_rc" > "$summary"
  publish_summary
  exit "$run_rc"
fi
run_id="$(node -e 'process.stdout.write(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).runId)' "$state/last-run.json")"
candidate="$state/runs/$run_id/result.json"
echo "nightly.sh: run $run_id → $candidate" >&2

# 2. Compare with the last accepted baseline.
compare_rc=0
if [ -f "$baseline" ]; then
  set +e
  "${joulebench[@]}" compare "$baseline" "$candidate" --markdown "$summary" --junit "$junit" ${compare_flags[@]+"${compare_flags[@]}"}
  compare_rc=$?
  set -e
else
  printf '## joulebench nightly: first run\n\nNo accepted baseline yet in `%s`: run %s becomes the baseline if it passes its budgets.\n' "$baseline" "$run_id" > "$summary"
fi
if [ "$run_rc" -eq 1 ]; then
  printf '\n**Budgets broken** (see the job log and `budgets` in %s).\n' "$candidate" >> "$summary"
fi
publish_summary

# 3. Accept only a run that passed everything.
if [ "$run_rc" -eq 0 ] && [ "$compare_rc" -eq 0 ]; then
  cp "$candidate" "$baseline.tmp" && mv "$baseline.tmp" "$baseline"
  printf '%s %s\n' "$run_id" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" >> "$state/baseline/ACCEPTED"
  echo "nightly.sh: passed; run $run_id is the new baseline" >&2
  exit 0
fi
if [ "$compare_rc" -eq 2 ]; then
  echo "nightly.sh: the run cannot be compared with the baseline (see above); baseline kept" >&2
  exit 2
fi
echo "nightly.sh: FAILED (run exit $run_rc, compare exit $compare_rc); baseline kept ($baseline)" >&2
exit 1
