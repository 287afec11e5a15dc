#!/usr/bin/env bash
# Give a group read access to the RAPL energy counters, so joulebench's `rapl` meter works without root.
#
# Why this is needed: since Linux 5.10 (and the stable kernels it was backported to), every
# /sys/class/powercap/intel-rapl*/**/energy_uj file is readable by root only. Energy readings at a fine time
# resolution leak information about what another process computes (the PLATYPUS attack, CVE-2020-8694), so the
# kernel stopped trusting every user with them. Granting a *group* read access restores the meter for the users you
# choose while keeping everyone else out. Only do this on machines where that trade-off is acceptable (your own
# benchmarking box, not a shared multi-tenant host).
#
# What it does (each step printed first; --dry-run prints and stops there):
#   1. creates the group (default `powercap`) when it does not exist;
#   2. adds a user to it with --user (log out and in again, or run `newgrp GROUP`, for that to take effect);
#   3. installs a udev rule that runs chgrp/chmod on every intel-rapl* zone's energy_uj whenever the zone appears
#      (at boot, on module reload). udev's own GROUP=/MODE= only apply to /dev nodes, not to sysfs attributes,
#      hence RUN+= chgrp/chmod on /sys%p/energy_uj (%p is the zone's device path);
#   4. applies the same chgrp/chmod to the counters present now, so no reboot is needed.
#
# Undo: rm the rules file, `udevadm control --reload-rules`, and reboot (or chmod 0400 the files again).
#
# Usage: sudo scripts/grant-rapl-access.sh [--group NAME] [--user NAME] [--dry-run]
#                                          [--powercap-root DIR] [--rules-file FILE]
set -euo pipefail

group=powercap
user=""
dry_run=0
powercap_root=/sys/class/powercap
rules_file=/etc/udev/rules.d/70-joulebench-rapl.rules

usage() {
  cat <<'EOF'
usage: sudo grant-rapl-access.sh [--group NAME] [--user NAME] [--dry-run] [--powercap-root DIR] [--rules-file FILE]

Give a group read access to the RAPL energy counters (/sys/class/powercap/intel-rapl*/**/energy_uj), which
Linux 5.10+ makes root-only (CVE-2020-8694), so that `joulebench --meter rapl` works without root.

  --group NAME          group that may read the counters (default: powercap; created if missing)
  --user NAME           add this user to the group (log in again afterwards, or run `newgrp NAME`)
  --dry-run             print what would be done and change nothing
  --powercap-root DIR   where the zones are now (default: /sys/class/powercap)
  --rules-file FILE     udev rule to install (default: /etc/udev/rules.d/70-joulebench-rapl.rules)
EOF
}

# Read the option list; every option that takes a value checks that one follows.
while [ $# -gt 0 ]; do
  case "$1" in
    --group | --user | --powercap-root | --rules-file)
      if [ $# -lt 2 ] || [ -z "$2" ]; then
        echo "grant-rapl-access.sh: $1 needs a value" >&2
        exit 2
      fi
      case "$1" in
        --group) group=$2 ;;
        --user) user=$2 ;;
        --powercap-root) powercap_root=$2 ;;
        --rules-file) rules_file=$2 ;;
      esac
      shift 2
      ;;
    --dry-run) dry_run=1; shift ;;
    -h | --help) usage; exit 0 ;;
    *)
      echo "grant-rapl-access.sh: unknown option \"$1\"" >&2
      usage >&2
      exit 2
      ;;
  esac
done

# A group or user name goes into a udev rule and onto command lines: accept only what useradd would.
name_ok() { [[ "$1" =~ ^[a-z_][a-z0-9_-]*[$]?$ ]] && [ ${#1} -le 32 ]; }
if ! name_ok "$group"; then
  echo "grant-rapl-access.sh: --group \"$group\" is not a valid group name (lower-case letters, digits, _ and -)" >&2
  exit 2
fi
if [ -n "$user" ] && ! id -u "$user" >/dev/null 2>&1 && [ "$dry_run" -eq 0 ]; then
  echo "grant-rapl-access.sh: --user \"$user\": no such user" >&2
  exit 2
fi

# Changing groups, udev rules and sysfs modes needs root. GRANT_RAPL_UID lets tests, which run as root, check this.
uid=${GRANT_RAPL_UID:-$(id -u)}
if [ "$dry_run" -eq 0 ] && [ "$uid" -ne 0 ]; then
  echo "grant-rapl-access.sh: this needs root: run it with sudo (or add --dry-run to see what it would do)" >&2
  echo "  e.g. sudo $0 --user ${SUDO_USER:-${USER:-$(id -un)}}" >&2
  exit 1
fi

# run CMD...: print the command, then run it unless this is a dry run.
run() {
  if [ "$dry_run" -eq 1 ]; then
    echo "would run: $*"
  else
    echo "running: $*"
    "$@"
  fi
}

# Absolute paths for the rule: udev runs RUN+= programs without a shell PATH.
chgrp_bin=$(command -v chgrp || echo /bin/chgrp)
chmod_bin=$(command -v chmod || echo /bin/chmod)

# 1. The group.
if getent group "$group" >/dev/null 2>&1; then
  echo "group $group exists"
else
  run groupadd --system "$group"
fi

# 2. The user.
if [ -n "$user" ]; then
  run usermod -a -G "$group" "$user"
fi

# 3. The udev rule: on every powercap zone named intel-rapl* (intel-rapl:N, intel-rapl:N:M, intel-rapl-mmio:N) that
#    has an energy_uj, give the group read access when the zone is added.
rule="ACTION==\"add\", SUBSYSTEM==\"powercap\", KERNEL==\"intel-rapl*\", TEST==\"energy_uj\", RUN+=\"$chgrp_bin $group /sys%p/energy_uj\", RUN+=\"$chmod_bin g+r /sys%p/energy_uj\""
echo "udev rule for $rules_file:"
echo "  $rule"
if [ "$dry_run" -eq 1 ]; then
  echo "would write: $rules_file"
else
  printf '# Installed by joulebench scripts/grant-rapl-access.sh: group %s may read RAPL energy counters.\n%s\n' "$group" "$rule" >"$rules_file"
  echo "wrote $rules_file"
fi
if command -v udevadm >/dev/null 2>&1; then
  run udevadm control --reload-rules
else
  echo "udevadm not found (a container?): the rule takes effect where udev runs; the counters below are changed now anyway"
fi

# 4. The counters present now. Subzones are listed both at the root (symlinks) and inside their package folder:
#    resolve each file once.
shopt -s nullglob
declare -A seen=()
count=0
for file in "$powercap_root"/intel-rapl*/energy_uj "$powercap_root"/intel-rapl*/*/energy_uj; do
  real=$(readlink -f "$file")
  [ -n "${seen[$real]:-}" ] && continue
  seen[$real]=1
  run chgrp "$group" "$file"
  run chmod g+r "$file"
  count=$((count + 1))
done
if [ "$count" -eq 0 ]; then
  echo "no energy_uj under $powercap_root/intel-rapl* (no RAPL here, or intel_rapl_msr/intel_rapl_common not loaded): only the udev rule applies"
fi

if [ "$dry_run" -eq 1 ]; then
  echo "dry run: nothing was changed"
else
  echo "done: members of $group can read the RAPL counters${user:+ (user $user: log in again, or run \`newgrp $group\`)}"
fi
