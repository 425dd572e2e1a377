/** Orders jobs so every job comes after the jobs it needs; refuses unknown needs and cycles, naming them. */
export function orderJobs(needs: Record<string, string[]>): string[] {
  for (const [job, deps] of Object.entries(needs)) {
    for (const dep of deps) {
      if (!(dep in needs)) throw new Error(`Job '${job}' depends on unknown job '${dep}'; jobs: ${Object.keys(needs).join(", ")}`);
    }
  }
  const order: string[] = [];
  const state = new Map<string, "visiting" | "done">();
  const visit = (job: string, path: string[]): void => {
    if (state.get(job) === "done") return;
    if (state.get(job) === "visiting") throw new Error(`Jobs depend on each other in a cycle: ${[...path, job].join(" → ")}`);
    state.set(job, "visiting");
    for (const dep of needs[job] ?? []) visit(dep, [...path, job]);
    state.set(job, "done");
    order.push(job);
  };
  for (const job of Object.keys(needs)) visit(job, []);
  return order;
}

/** Every job a job depends on, directly or not. */
export function ancestors(job: string, needs: Record<string, string[]>): Set<string> {
  const out = new Set<string>();
  const walk = (j: string): void => {
    for (const dep of needs[j] ?? []) {
      if (!out.has(dep)) {
        out.add(dep);
        walk(dep);
      }
    }
  };
  walk(job);
  return out;
}
