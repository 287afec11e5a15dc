// Vendor tools (nvidia-smi, amd-smi, rocm-smi) run in a process group of their own, so that stopping one kills
// everything it started too: the AMD tools are Python scripts, and a wrapper script around nvidia-smi is common.
// A tool in its own group also does not get the terminal's Ctrl-C: joulebench stops its meters itself, after it
// has finished the window, instead of losing the meter mid-window.
import type { ChildProcess } from 'node:child_process';

/** Spawn option: a new process group (POSIX); Windows has no process groups. */
export const ownProcessGroup = process.platform !== 'win32';

/** Send `signal` to the tool's whole process group, or to the tool alone where there is no group. */
export function killProcessGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  if (ownProcessGroup) {
    try {
      process.kill(-child.pid, signal);
      return;
    } catch {
      // The group is gone already (or was never created): fall back to the process itself.
    }
  }
  child.kill(signal);
}
