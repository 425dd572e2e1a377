// Loaded with `node --require` before the measured script: prints the peak resident set size (KiB) and
// the CPU time used (user + system, µs) at exit, read from inside the process. A CommonJS preload, not
// an `--import` one: with `--import`, Node runs the main script through its ES module loader, which
// changes how a CommonJS entry is loaded and what it costs.
process.on("exit", () => {
  const usage = process.resourceUsage();
  process.stderr.write(`\n__bench_usage max_rss_kib=${usage.maxRSS} cpu_us=${usage.userCPUTime + usage.systemCPUTime}\n`);
});
