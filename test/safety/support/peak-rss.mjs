// Preloaded into a child action: at exit, writes its peak resident set (KiB) where ZDA_PEAK_RSS_FILE says.
import { writeFileSync } from "node:fs";

const file = process.env.ZDA_PEAK_RSS_FILE;
if (file) process.on("exit", () => writeFileSync(file, String(process.resourceUsage().maxRSS)));
