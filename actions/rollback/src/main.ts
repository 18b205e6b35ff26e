import {
  createRouter,
  deployIntoSlot,
  displayUrl,
  errorMessage,
  expandTemplate,
  formatDuration,
  formatWeights,
  hasDeployer,
  httpRequest,
  runnerLog as log,
  probe,
  redact,
  registerUrlSecrets,
  run,
  Summary,
  setOutputs,
  valueAtPath,
  type Weights,
} from '@glidepath/core';
import { readContext } from './context.js';
import { rollBack } from './rollback.js';

await run(async ({ signal }) => {
  const inputs = await readContext();
  const router = await createRouter(inputs.router, { log: (line) => log.info(line) });
  log.info(`Ledger: ${inputs.ledger.describe()}.`);
  /** The probe URL for a slot, placeholders expanded; a string says why there is none. */
  const probeUrl = (slot: string, version: string, live: string): URL | string => {
    const address = inputs.addresses.get(slot);
    const text = expandTemplate(inputs.probeUrls!.get(slot)!, {
      slot,
      'live-slot': live,
      version,
      environment: inputs.environment,
      ...(address !== undefined ? { address } : {}),
    });
    if (!URL.canParse(text)) return `the url input is not a URL once expanded for ${slot}`;
    const url = new URL(text);
    registerUrlSecrets(url);
    return url;
  };

  const outcome = await log.group('Roll back', () =>
    rollBack(
      { environment: inputs.environment, to: inputs.to, reason: inputs.reason, force: inputs.force },
      {
        router,
        ledger: inputs.ledger,
        slotNames: inputs.router.slotNames,
        log,
        ...(hasDeployer(inputs.redeployer)
          ? {
              redeploy: (version: string, slot: string, live: string, weights: Weights) =>
                deployIntoSlot(
                  inputs.redeployer,
                  { slot, live, version, environment: inputs.environment },
                  router,
                  weights,
                  (line) => log.info(line),
                  signal,
                ),
            }
          : {}),
        ...(inputs.probeUrls
          ? {
              probe: async (slot: string, version: string, live: string) => {
                const url = probeUrl(slot, version, live);
                if (typeof url === 'string') return url;
                const result = await probe(
                  {
                    name: 'pre-flip',
                    url,
                    method: 'GET',
                    headers: {},
                    status: [{ from: 200, to: 399 }],
                    // The version is rollback's own check (slotVersion), which force cannot override.
                    json: [],
                  },
                  url,
                  { timeoutMs: inputs.timeoutMs, followRedirects: false, insecureTls: false },
                );
                return result.ok ? undefined : `GET ${displayUrl(url)}: ${result.failure}`;
              },
            }
          : {}),
        ...(inputs.probeUrls && inputs.versionField
          ? {
              slotVersion: async (slot: string, version: string, live: string) => {
                const url = probeUrl(slot, version, live);
                if (typeof url === 'string') return { problem: url };
                const field = inputs.versionField!;
                try {
                  const answer = await httpRequest(url, {
                    method: 'GET',
                    http: { timeoutMs: inputs.timeoutMs, followRedirects: false, insecureTls: false },
                  });
                  const found = valueAtPath(JSON.parse(answer.body) as unknown, field.steps);
                  if (!found.found || (typeof found.value !== 'string' && typeof found.value !== 'number'))
                    return {
                      problem: `GET ${displayUrl(url)} answered ${answer.status} without a ${field.path} string`,
                    };
                  const reported = String(found.value);
                  // What the slot says goes into the log: only a plain version label is taken.
                  if (!/^[\w.:@/+-]{1,200}$/.test(reported))
                    return { problem: `GET ${displayUrl(url)}: ${field.path} is not a plain version label` };
                  return { version: reported };
                } catch (error) {
                  return { problem: `GET ${displayUrl(url)}: ${redact(errorMessage(error))}` };
                }
              },
            }
          : {}),
      },
    ),
  );

  setOutputs({
    'rolled-back-to': outcome.restored.version,
    slot: outcome.slot,
    'duration-ms': outcome.durationMs,
  });
  const summary = new Summary().heading(
    outcome.alreadyLive
      ? `Rollback of ${inputs.environment}: ${outcome.restored.version} was already live`
      : `Rolled back ${inputs.environment} to ${outcome.restored.version}`,
  );
  summary.table(
    ['', 'before', 'after'],
    [
      ['traffic', formatWeights(outcome.before), formatWeights(outcome.after)],
      [
        'release',
        outcome.from ? `${outcome.from.version} (${outcome.from.slot})` : 'unknown',
        `${outcome.restored.version} (${outcome.slot})`,
      ],
    ],
  );
  summary.list([
    `**Reason:** ${inputs.reason}`,
    `**Duration:** ${formatDuration(outcome.durationMs)} in all, of which the verified router flip took ${formatDuration(outcome.flipMs)}`,
    outcome.redeployed
      ? `**Redeployed:** ${outcome.restored.version} no longer ran in ${outcome.slot}, so it was started there first (${outcome.redeployed})`
      : `**Fast path:** ${outcome.restored.version} still ran in ${outcome.slot}; no redeploy, no staged analysis`,
    ...outcome.preempted.map(
      (shift) =>
        `**Stopped:** the shift of ${shift.version} into ${shift.slot} (ledger entry ${shift.id}), in progress when the rollback started; it moves no more traffic`,
    ),
    `**Router:** ${router.describe()}`,
    `**Ledger:** ${inputs.ledger.describe()} — ${outcome.from && !outcome.alreadyLive ? `${outcome.from.version} marked failure, ` : ''}${outcome.restored.version} recorded as the current release`,
  ]);
  await summary.write();
});
