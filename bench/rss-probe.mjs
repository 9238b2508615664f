// Preloaded into a child process by bench/run.mjs to report its peak resident set size on exit. VmHWM is
// per address space, so unlike getrusage's maxRSS it does not inherit the benchmark parent's peak across exec.
import { readFileSync } from 'node:fs';

process.on('exit', () => {
  const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  process.stderr.write(`maxRSS=${hwm ? hwm[1] : process.resourceUsage().maxRSS}\n`);
});
