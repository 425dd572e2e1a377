/** The environment a dist bundle sees when it runs as a step against the sandbox. */

export interface ActionEnvOptions {
  endpoint: string;
  inputs: Record<string, string>;
  runId?: string;
}

/** PATH, the AWS variables pointing at the sandbox, a GitHub run identity and INPUT_<NAME> for every input. */
export function actionEnv(options: ActionEnvOptions): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? "",
    AWS_ENDPOINT_URL: options.endpoint,
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
    GITHUB_RUN_ID: options.runId ?? "7001",
    GITHUB_RUN_ATTEMPT: "1",
    GITHUB_REPOSITORY: "acme/web",
    GITHUB_ACTIONS: "true",
  };
  for (const [name, value] of Object.entries(options.inputs)) env[`INPUT_${name.replace(/ /g, "_").toUpperCase()}`] = value;
  return env;
}

/** Only PATH: the bundle finds no inputs and takes its validation-failure path. */
export function bareEnv(): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? "" };
}
