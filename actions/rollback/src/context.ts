import path from 'node:path';
import {
  createLedger,
  expandTemplate,
  input,
  type Ledger,
  loadKubeConfig,
  parseJsonPath,
  type RawInputs,
  type RouterSettings,
  readInputs,
  readSlotDeployments,
  registerSecret,
  registerUrlSecrets,
  requireInputs,
  routerFields,
  routerSettings,
  runnerInputs,
  type SlotDeployer,
  splitCommand,
  templateProblem,
  withStandIns,
} from '@glidepath/core';

export const fields = {
  ...routerFields,
  environment: input.string({ default: 'production' }),
  to: input.string({ default: 'previous' }),
  reason: input.string(),
  'redeploy-command': input.optionalString(),
  'redeploy-timeout': input.duration({ default: 600_000, min: 1000 }),
  'slot-deployments': input.keyValues({ default: new Map() }),
  'pass-github-token': input.boolean({ default: false }),
  url: input.optionalString(),
  'version-field': input.optionalString(),
  force: input.boolean({ default: false }),
  timeout: input.duration({ default: 5000, min: 100 }),
  'ledger-file': input.workspacePath({ default: '.glidepath/ledger.json' }),
  token: input.secret({ default: '' }),
};

export interface RollbackInputs {
  environment: string;
  /** `previous`, or a version recorded in the ledger. */
  to: string;
  reason: string;
  router: RouterSettings;
  /** How a release that no longer runs in a slot is started there (redeploy-command or slot-deployments). */
  redeployer: SlotDeployer;
  /** The URL probed before the flip, per slot, as written: placeholders are expanded once the release is known. */
  probeUrls: Map<string, string> | undefined;
  /** Each slot's entry in `slots`, for `{{address}}`. */
  addresses: Map<string, string>;
  /** Where the probe's JSON answer says which version the slot runs (`version-field`), parsed. */
  versionField: { path: string; steps: Array<string | number> } | undefined;
  force: boolean;
  timeoutMs: number;
  ledger: Ledger;
}

/** Reads and checks every input; throws one InputError naming each bad input before anything is touched. */
export async function readContext(inputs: RawInputs = runnerInputs): Promise<RollbackInputs> {
  const raw = await readInputs(fields, inputs);
  const router = routerSettings(raw);
  const redeployCommand =
    raw['redeploy-command'] === undefined ? undefined : splitCommand(raw['redeploy-command']);
  const probeUrls = raw.url === undefined ? undefined : slotUrls(raw.url, router.slotNames);
  const placeholders =
    probeUrls === undefined
      ? undefined
      : templateProblem([...probeUrls.values()], {
          slot: 'x',
          'live-slot': 'x',
          version: 'x',
          environment: 'x',
          address: 'x',
        });
  const kubernetes = router.router === 'gateway-api' || router.router === 'ingress-nginx';
  const { deployments, problems: deploymentProblems } = readSlotDeployments(raw['slot-deployments'], {
    slots: router.slotNames,
    kubernetes,
    command: raw['redeploy-command'],
    commandInput: 'redeploy-command',
  });
  requireInputs([
    ...deploymentProblems,
    raw['redeploy-command'] !== undefined &&
      !redeployCommand?.length && {
        input: 'redeploy-command',
        value: raw['redeploy-command'],
        expected: 'a command such as "./deploy.sh" or "bash -c \'…\'" (quotes must be closed)',
      },
    raw.url !== undefined &&
      !probeUrls && {
        input: 'url',
        value: raw.url,
        expected: `an http(s) URL, or one line slot=URL for each of the slots ${router.slotNames.join(', ')}`,
      },
    placeholders !== undefined && { input: 'url', value: raw.url ?? '', expected: placeholders },
    raw['version-field'] !== undefined &&
      !parseJsonPath(raw['version-field']) && {
        input: 'version-field',
        value: raw['version-field'],
        expected: 'a JSON path into the probe\'s answer, such as "version" or "build.version"',
      },
    raw['version-field'] !== undefined &&
      probeUrls !== undefined &&
      new Set(probeUrls.values()).size < probeUrls.size &&
      ![...probeUrls.values()].every((text) => /\{\{\s*(slot|address)\s*\}\}/.test(text)) && {
        input: 'url',
        value: raw.url ?? '',
        expected:
          'with version-field, a URL that reaches each slot itself ({{slot}} or {{address}} in it, or one slot=URL line per slot), not the router',
      },
    raw['version-field'] !== undefined &&
      raw.url === undefined && {
        input: 'version-field',
        value: raw['version-field'],
        expected: 'the url input as well: the version is read from the answer of the pre-flip probe',
      },
  ]);
  // Expanded for each slot now, with a stand-in version, so that a URL that only
  // breaks once expanded is a bad input here, not a probe failure after a redeploy.
  const broken = [...(probeUrls ?? [])].filter(([slot, text]) => {
    const expanded = expandTemplate(text, {
      slot,
      'live-slot': router.slotNames.find((s) => s !== slot)!,
      version: 'v0',
      environment: raw.environment,
      address: raw.slots.get(slot) ?? '',
    });
    if (!URL.canParse(expanded)) return true;
    // Its credentials (user information, `?token=`) are secrets from here on.
    registerUrlSecrets(new URL(expanded));
    return !/^https?:$/.test(new URL(expanded).protocol);
  });
  requireInputs([
    broken.length > 0 && {
      input: 'url',
      value: raw.url ?? '',
      expected: `an http(s) URL once its placeholders are expanded (for slot ${broken.map(([slot]) => slot).join(', ')} it is not)`,
    },
  ]);
  const token = raw.token || process.env.GITHUB_TOKEN || '';
  registerSecret(token);
  requireInputs([
    raw['pass-github-token'] &&
      !token && {
        input: 'pass-github-token',
        value: 'true',
        expected: 'a token to pass to redeploy-command: set the token input or GITHUB_TOKEN in the step env',
      },
  ]);
  const workspace = process.env.GITHUB_WORKSPACE ?? process.cwd();
  return {
    environment: raw.environment,
    to: raw.to,
    reason: raw.reason,
    router,
    redeployer: {
      inputs: { command: 'redeploy-command', timeout: 'redeploy-timeout' },
      ...(redeployCommand ? { command: redeployCommand } : {}),
      ...(deployments.size ? { deployments } : {}),
      ...(router.router === 'gateway-api' || router.router === 'ingress-nginx'
        ? { kube: () => loadKubeConfig(router.kubeconfig) }
        : {}),
      namespace: 'namespace' in router ? router.namespace : 'default',
      timeoutMs: raw['redeploy-timeout'],
      ...(raw['pass-github-token'] && token ? { githubToken: token } : {}),
    },
    probeUrls,
    addresses: raw.slots,
    versionField:
      raw['version-field'] === undefined
        ? undefined
        : { path: raw['version-field'], steps: parseJsonPath(raw['version-field'])! },
    force: raw.force,
    timeoutMs: raw.timeout,
    ledger: createLedger({ token, file: path.resolve(workspace, raw['ledger-file']) }),
  };
}

/**
 * One URL for whichever slot is restored (`http://{{address}}/healthz`
 * follows it), or `slot=URL` lines naming each slot. URLs are checked for
 * form with a stand-in for each placeholder and kept as written.
 */
function slotUrls(text: string, slots: readonly string[]): Map<string, string> | undefined {
  const parse = (value: string) => {
    const trimmed = value.trim();
    const standIn = withStandIns(trimmed);
    if (!URL.canParse(standIn)) return undefined;
    return /^https?:$/.test(new URL(standIn).protocol) ? trimmed : undefined;
  };
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
  const single = lines.length === 1 ? parse(lines[0]!) : undefined;
  if (single) return new Map(slots.map((slot) => [slot, single]));
  const urls = new Map<string, string>();
  for (const line of lines) {
    const eq = line.indexOf('=');
    const slot = line.slice(0, eq).trim();
    const url = eq > 0 ? parse(line.slice(eq + 1)) : undefined;
    if (!url || !slots.includes(slot)) return undefined;
    urls.set(slot, url);
  }
  return slots.every((slot) => urls.has(slot)) ? urls : undefined;
}
