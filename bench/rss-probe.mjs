// Preloaded into a child process by bench/run.mjs to report its peak resident set size on exit.
process.on('exit', () => process.stderr.write(`maxRSS=${process.resourceUsage().maxRSS}\n`));
