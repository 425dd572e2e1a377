/**
 * Screenshots a step summary as a reader sees it: the markdown rendered as GitHub-flavoured
 * HTML (marked, GFM), styled like a GitHub page, its mermaid charts drawn by the mermaid
 * package's browser bundle from node_modules (no network), in headless Chromium, to a PNG.
 *
 *   node --import tsx scripts/screenshot-summary.ts [--markdown summary.md] [--out file.png]
 *
 * Without --markdown it draws the canary-analyze summary of a failing canary (the one a
 * reviewer reads before promotion). Chromium is looked up as $CHROMIUM, then chromium,
 * chromium-browser, google-chrome on the PATH; without one the script says so and exits 3.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);
const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

export const NO_CHROMIUM = 3;

/** The Chromium binary to use, or undefined when none is installed. */
export async function findChromium(env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  const candidates = env.CHROMIUM ? [env.CHROMIUM] : ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"];
  for (const name of candidates) {
    const found = name.includes("/") ? name : await run("which", [name]).then((r) => r.stdout.trim(), () => "");
    if (found && (await stat(found).then((s) => s.isFile(), () => false))) return found;
  }
  return undefined;
}

const CSS = `
body { margin: 0; background: #ffffff; color: #1f2328; font: 14px/1.5 -apple-system, BlinkMacSystemFont, "Segoe UI", "Noto Sans", Helvetica, Arial, sans-serif; }
main { box-sizing: border-box; width: 1012px; margin: 24px auto; padding: 32px; border: 1px solid #d1d9e0; border-radius: 6px; }
h1, h2, h3, h4 { margin: 24px 0 16px; font-weight: 600; line-height: 1.25; }
h2 { font-size: 1.5em; padding-bottom: .3em; border-bottom: 1px solid #d1d9e0b3; }
h3 { font-size: 1.25em; } h4 { font-size: 1em; }
p, ul, table, details, pre { margin: 0 0 16px; }
a { color: #0969da; text-decoration: none; }
table { border-spacing: 0; border-collapse: collapse; display: block; width: max-content; max-width: 100%; overflow: auto; }
th, td { padding: 6px 13px; border: 1px solid #d1d9e0; }
th { font-weight: 600; } tr:nth-child(2n) { background: #f6f8fa; }
code { font: 85% ui-monospace, SFMono-Regular, Menlo, monospace; background: #818b981f; padding: .2em .4em; border-radius: 6px; }
pre.mermaid { background: none; text-align: center; }
summary { cursor: pointer; }
`;

function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** A standalone HTML page of the markdown, with mermaid blocks left for the browser bundle to draw. */
export async function summaryPage(markdown: string): Promise<string> {
  const { Marked } = await import("marked");
  const marked = new Marked({ gfm: true });
  marked.use({
    renderer: {
      code({ text, lang }) {
        return lang === "mermaid" ? `<pre class="mermaid">${escapeHtml(text)}</pre>\n` : false;
      },
    },
  });
  const body = await marked.parse(markdown);
  const bundle = pathToFileURL(join(root, "node_modules/mermaid/dist/mermaid.min.js")).href;
  return `<!doctype html><html><head><meta charset="utf-8"><style>${CSS}</style><script src="${bundle}"></script></head>
<body><main>${body}</main>
<script>
  mermaid.initialize({ startOnLoad: false, theme: "default" });
  const done = (state) => {
    document.title = state;
    document.body.setAttribute("data-height", String(document.querySelector("main").getBoundingClientRect().bottom + 24));
  };
  mermaid.run({ querySelector: "pre.mermaid" }).then(() => done("drawn"), (e) => {
    document.body.insertAdjacentHTML("afterbegin", "<pre>" + String(e) + "</pre>");
    done("mermaid failed");
  });
</script></body></html>`;
}

/** The default subject: the canary-analyze summary of a failing canary. */
async function defaultMarkdown(): Promise<string> {
  const { allSummaries } = await import("../test/report/summaries");
  return allSummaries().find((s) => s.name === "canary-analyze fail")!.markdown;
}

const WIDTH = 1060;

/** Renders `markdown` to a PNG at `out` in headless Chromium, as tall as the page; returns its size and state. */
export async function screenshot(markdown: string, out: string, chromium: string): Promise<{ bytes: number; height: number; state: string; charts: number }> {
  const dir = await mkdtemp(join(tmpdir(), "summary-shot-"));
  try {
    const page = join(dir, "summary.html");
    await writeFile(page, await summaryPage(markdown));
    const flags = (profile: string, height: number) => [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--hide-scrollbars",
      "--allow-file-access-from-files",
      `--user-data-dir=${join(dir, profile)}`,
      `--window-size=${WIDTH},${height}`,
      "--virtual-time-budget=15000",
    ];
    // First pass: draw the charts and measure the page; second: the screenshot at that height.
    const dom = await run(chromium, [...flags("measure", 1200), "--dump-dom", pathToFileURL(page).href], { timeout: 120_000, maxBuffer: 64 * 1024 * 1024 });
    const state = /<title>([^<]*)<\/title>/.exec(dom.stdout)?.[1] ?? "not drawn";
    const height = Math.ceil(Number(/data-height="([\d.]+)"/.exec(dom.stdout)?.[1] ?? 3000));
    await run(chromium, [...flags("shoot", height), `--screenshot=${resolve(out)}`, pathToFileURL(page).href], { timeout: 120_000 });
    const charts = (dom.stdout.match(/<svg\b/g) ?? []).length;
    return { bytes: (await stat(out)).size, height, state, charts };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function main(argv: string[]): Promise<number> {
  const arg = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const chromium = await findChromium();
  if (!chromium) {
    console.error("No Chromium found ($CHROMIUM, chromium, chromium-browser or google-chrome): no screenshot taken. On Debian: apt-get install -y chromium");
    return NO_CHROMIUM;
  }
  const source = arg("--markdown");
  const markdown = source ? await readFile(source, "utf8") : await defaultMarkdown();
  const out = arg("--out") ?? "canary-summary.png";
  const shot = await screenshot(markdown, out, chromium);
  console.log(`${out}: ${WIDTH}×${shot.height} px, ${shot.bytes} bytes, ${shot.charts} chart(s) ${shot.state} (${chromium})`);
  return shot.state === "drawn" ? 0 : 1;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : String(error));
      process.exit(1);
    },
  );
}
