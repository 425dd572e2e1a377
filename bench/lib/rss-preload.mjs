// Loaded with `node --import` before the measured script: prints the peak resident set size (KiB) and
// the CPU time used (user + system, µs) at exit, read from inside the process.
process.on("exit", () => {
  const usage = process.resourceUsage();
  process.stderr.write(`\n__bench_usage max_rss_kib=${usage.maxRSS} cpu_us=${usage.userCPUTime + usage.systemCPUTime}\n`);
});
