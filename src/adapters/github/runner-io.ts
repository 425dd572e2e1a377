/**
 * The runner's `ActionIO`: an adapter over @actions/core, which reads the inputs and state from the
 * environment, writes outputs and state to the GITHUB_* files and workflow commands to stdout, and
 * writes the step summary. What this adds on top:
 *
 * - log lines go through `safeLines` and annotation text through `safeData`, so outside text
 *   cannot start a workflow command;
 * - the runner masks the log, not the step summary: what `setSecret` is given is masked in the
 *   summary here, before @actions/core writes it;
 * - the summary is written in the order it was appended, and `flush()` waits for it.
 *
 * Only the parts of @actions/core used here end up in an entry's bundle: the build marks the
 * toolkit's modules free of side effects, so its HTTP client (for getIDToken) is left out.
 */
import * as core from "@actions/core";
import { maskSecrets } from "../../util/untrusted";
import { type ActionIO, type AnnotationProperties, safeData, safeLines } from "./io";

/** Only the properties given: @actions/core writes `::name ::` for an object of empty ones. */
function annotation(p: AnnotationProperties = {}): core.AnnotationProperties {
  const out: core.AnnotationProperties = {};
  if (p.title) out.title = safeData(p.title);
  if (p.file) out.file = p.file;
  if (p.line !== undefined) out.startLine = p.line;
  return out;
}

/** Appends summary blocks through core.summary, one write at a time, in order. */
function summaryWriter(secrets: ReadonlySet<string>): Pick<ActionIO, "appendSummary" | "flush"> {
  let pending: Promise<void> = Promise.resolve();
  let failure: unknown;
  const write = async (blocks: readonly string[]) => {
    blocks.forEach((block, i) => {
      if (i > 0) core.summary.addEOL();
      core.summary.addRaw(block).addEOL();
    });
    await core.summary.write();
  };
  return {
    appendSummary(content) {
      if (!process.env.GITHUB_STEP_SUMMARY) return;
      const blocks = (typeof content === "string" ? [content] : content.blocks()).map((block) => maskSecrets(block, secrets).replace(/\r?\n$/, ""));
      if (blocks.every((block) => block === "")) return;
      pending = pending
        .then(() => write(blocks))
        .catch((error: unknown) => {
          core.summary.emptyBuffer();
          failure ??= error;
        });
    },
    async flush() {
      await pending;
      const error = failure;
      failure = undefined;
      if (error !== undefined) throw error;
    },
  };
}

/** The real runner, through @actions/core. */
export function createRunnerIO(): ActionIO {
  const secrets = new Set<string>();
  return {
    getInput: (name) => core.getInput(name),
    getState: (name) => core.getState(name),
    setOutput: (name, value) => core.setOutput(name, value),
    saveState: (name, value) => core.saveState(name, value),
    setSecret: (value) => {
      if (!value) return;
      secrets.add(value);
      core.setSecret(value);
    },
    info: (message) => core.info(safeLines(message)),
    debug: (message) => core.debug(safeData(message)),
    notice: (message, p) => core.notice(safeData(message), annotation(p)),
    warning: (message, p) => core.warning(safeData(message), annotation(p)),
    error: (message, p) => core.error(safeData(message), annotation(p)),
    setFailed: (message) => core.setFailed(safeData(message)),
    startGroup: (name) => core.startGroup(safeData(name)),
    endGroup: () => core.endGroup(),
    ...summaryWriter(secrets),
    env: (name) => process.env[name],
  };
}
