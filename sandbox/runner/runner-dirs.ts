import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

/** The runner's working directories for one run, under a fresh temporary root. */
export interface RunnerDirs {
  root: string;
  temp: string;
  workspace: string;
  toolCache: string;
  fileCommands: string;
  artifacts: string;
  eventPath: string;
  /** Removes the temporary root (never a workspace that was passed in). */
  cleanup(): Promise<void>;
}

export async function createRunnerDirs(options: { workspace?: string; event: unknown; keep?: boolean }): Promise<RunnerDirs> {
  const root = await mkdtemp(join(tmpdir(), "zda-runner-"));
  const dirs = {
    root,
    temp: join(root, "temp"),
    workspace: options.workspace ? resolve(options.workspace) : join(root, "workspace"),
    toolCache: join(root, "tool-cache"),
    fileCommands: join(root, "temp", "_runner_file_commands"),
    artifacts: join(root, "artifacts"),
    eventPath: join(root, "event.json"),
  };
  await Promise.all([dirs.temp, dirs.workspace, dirs.toolCache, dirs.fileCommands, dirs.artifacts].map((d) => mkdir(d, { recursive: true })));
  await writeFile(dirs.eventPath, JSON.stringify(options.event ?? {}, null, 2));
  return {
    ...dirs,
    cleanup: async () => {
      if (!options.keep) await rm(root, { recursive: true, force: true });
    },
  };
}
