/**
 * Static checks of every workflow in the repository (ours and the examples a
 * user copies): each local action or reusable workflow that is used exists and
 * declares every `with:` key and `secrets:` name passed to it, required inputs
 * are given, third-party actions and reusable workflows are pinned to a full
 * commit SHA, and no `${{ }}` expression is expanded inside a `run:` script
 * (script injection).
 *
 * Then the rules that keep a rollback from being dropped or held
 * (docs/concurrency.md): GitHub cancels a pending run or job of a concurrency
 * group when a newer one joins it, so no rollback may wait in a group; and a
 * job in an environment with required reviewers waits for an approval, so no
 * rollback job runs in the deploy's environment.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { workflowFiles as sharedWorkflowFiles } from '../../scripts/workflow-files.mjs';
import { repoRoot } from '../harness/runner.js';

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
}
interface Job {
  uses?: string;
  with?: Record<string, unknown>;
  secrets?: Record<string, unknown> | 'inherit';
  steps?: Step[];
  concurrency?: unknown;
  environment?: unknown;
}
interface Workflow {
  on?: unknown;
  concurrency?: unknown;
  jobs?: Record<string, Job>;
}

function workflowFiles(): string[] {
  return sharedWorkflowFiles(repoRoot).map((file) => path.join(repoRoot, file));
}

/** `./actions/x`, or `<owner>/glidepath/actions/x@ref` as a caller writes it → the local folder. */
function localActionDir(uses: string): string | undefined {
  const local = /^\.\/(actions\/[a-z-]+)$/.exec(uses);
  if (local) return path.join(repoRoot, local[1]!);
  const remote = /^[^/]+\/glidepath\/(actions\/[a-z-]+)@.+$/.exec(uses);
  return remote ? path.join(repoRoot, remote[1]!) : undefined;
}

function localWorkflow(uses: string): string | undefined {
  const local = /^\.\/(\.github\/workflows\/[\w.-]+\.ya?ml)$/.exec(uses);
  if (local) return path.join(repoRoot, local[1]!);
  const remote = /^[^/]+\/glidepath\/(\.github\/workflows\/[\w.-]+\.ya?ml)@.+$/.exec(uses);
  return remote ? path.join(repoRoot, remote[1]!) : undefined;
}

const PINNED = /@[0-9a-f]{40}$/;

/**
 * Every `uses:` not pinned to a commit SHA, in steps and in reusable-workflow
 * calls, except local ones and Glidepath's own (a release rewrites those).
 */
function unpinnedUses(workflow: Workflow): string[] {
  const unpinned: string[] = [];
  for (const [job, spec] of Object.entries(workflow.jobs ?? {})) {
    const call = spec.uses;
    if (call && !call.startsWith('./') && !localWorkflow(call) && !PINNED.test(call))
      unpinned.push(`${job}: ${call}`);
    (spec.steps ?? []).forEach(({ uses }, i) => {
      if (!uses || uses.startsWith('./') || uses.startsWith('docker://') || localActionDir(uses)) return;
      if (!PINNED.test(uses)) unpinned.push(`${job} step ${i + 1}: ${uses}`);
    });
  }
  return unpinned;
}

/**
 * The group a `concurrency:` value names (the short form is the group
 * itself), without spaces and lower-cased: GitHub treats `prod` and `Prod`
 * as one group.
 */
function groupOf(concurrency: unknown): string | undefined {
  let group: string | undefined;
  if (typeof concurrency === 'string') group = concurrency;
  else if (concurrency && typeof concurrency === 'object' && 'group' in concurrency)
    group = String(concurrency.group);
  return group?.replace(/\s+/g, '').toLowerCase();
}

function cancelInProgress(concurrency: unknown): unknown {
  return concurrency && typeof concurrency === 'object' && 'cancel-in-progress' in concurrency
    ? concurrency['cancel-in-progress']
    : undefined;
}

/** Every concurrency group a workflow declares: its own, then each job's. */
function concurrencyGroups(workflow: Workflow): { where: string; group: string }[] {
  const declared = [
    { where: 'workflow', concurrency: workflow.concurrency },
    ...Object.entries(workflow.jobs ?? {}).map(([job, spec]) => ({
      where: `job ${job}`,
      concurrency: spec.concurrency,
    })),
  ];
  return declared.flatMap(({ where, concurrency }) => {
    const group = groupOf(concurrency);
    return group === undefined ? [] : [{ where, group }];
  });
}

/** The environment a job names, in either form (`environment: x` or `environment: { name: x }`). */
function environmentName(job: Job): string | undefined {
  const environment = job.environment;
  if (environment === undefined || environment === null) return undefined;
  if (typeof environment === 'object' && 'name' in environment) return String(environment.name);
  return String(environment);
}

/** `${{ inputs.<name> }}` and nothing else. */
const onlyInput = (name: string) => new RegExp(`^\\$\\{\\{\\s*inputs\\.${name}\\s*\\}\\}$`);

/**
 * Why a rollback job could wait for an approval: it names an environment
 * other than the `rollback-environment` input (a job in an environment with
 * required reviewers waits for one), or a trigger lacks that input (a string
 * defaulting to empty, which is no environment); and why it could record to
 * the wrong ledger: its rollback step's `environment` is not the workflow's.
 */
function rollbackEnvironmentProblems(workflow: Workflow, jobId: string): string[] {
  const job = workflow.jobs?.[jobId];
  if (!job) return [`no job ${jobId}`];
  const problems: string[] = [];
  const name = environmentName(job);
  if (name !== undefined && !onlyInput('rollback-environment').test(name.trim()))
    problems.push(`job ${jobId} runs in environment "${name}", not only in inputs.rollback-environment`);
  const triggers = (workflow.on ?? {}) as Record<
    string,
    { inputs?: Record<string, { type?: string; default?: unknown }> } | null
  >;
  for (const trigger of ['workflow_call', 'workflow_dispatch'].filter((t) => t in triggers)) {
    const input = triggers[trigger]?.inputs?.['rollback-environment'];
    if (input?.type !== 'string' || input.default !== '')
      problems.push(`${trigger} has no input rollback-environment of type string defaulting to ''`);
  }
  const step = (job.steps ?? []).find(({ uses }) => uses && /\/actions\/rollback@/.test(uses));
  const ledger = String(step?.with?.environment ?? '');
  if (!step) problems.push(`job ${jobId} has no rollback step`);
  else if (!onlyInput('environment').test(ledger.trim()))
    problems.push(`job ${jobId}'s rollback step records to "${ledger}", not inputs.environment`);
  return problems;
}

/** Calls of rollback.yml that would wait in a concurrency group: the caller workflow's or the calling job's. */
function groupedRollbackCalls(workflow: Workflow): string[] {
  const rollbackYml = path.join(repoRoot, '.github/workflows/rollback.yml');
  const ownGroup = groupOf(workflow.concurrency);
  return Object.entries(workflow.jobs ?? {})
    .filter(([, spec]) => spec.uses && localWorkflow(spec.uses) === rollbackYml)
    .flatMap(([job, spec]) => {
      const jobGroup = groupOf(spec.concurrency);
      return [
        ...(ownGroup ? [`${job}: the workflow's group ${ownGroup}`] : []),
        ...(jobGroup ? [`${job}: its group ${jobGroup}`] : []),
      ];
    });
}

/** `${{`, spelled so that no linter takes it for a template placeholder. */
const OPEN = '$' + '{{';

const files = workflowFiles();
const relative = (file: string) => path.relative(repoRoot, file);
const read = (rel: string) => parse(readFileSync(path.join(repoRoot, rel), 'utf8')) as Workflow;

describe('workflows', () => {
  it('there are workflows to check', () => {
    expect(files.map(relative)).toContain('.github/workflows/ci.yml');
  });

  describe.each(files.map((f) => [relative(f), f]))('%s', (_name, file) => {
    const workflow = parse(readFileSync(file, 'utf8')) as Workflow;
    const jobs = Object.entries(workflow.jobs ?? {});
    const steps = jobs.flatMap(([job, spec]) => (spec.steps ?? []).map((step, i) => ({ job, i, step })));

    it('declares no more workflow_dispatch inputs than GitHub accepts (25)', () => {
      // GitHub refuses a workflow whose dispatch form has more inputs than
      // this ("you may only define up to N `inputs` for a `workflow_dispatch`
      // event"); the limit was 10 until GitHub raised it to 25.
      const on = workflow.on as { workflow_dispatch?: { inputs?: Record<string, unknown> } } | undefined;
      expect(Object.keys(on?.workflow_dispatch?.inputs ?? {}).length).toBeLessThanOrEqual(25);
    });

    it('uses only local actions that exist, with declared inputs and every required one given', () => {
      const problems: string[] = [];
      for (const { job, i, step } of steps) {
        if (!step.uses) continue;
        const dir = localActionDir(step.uses);
        if (!dir) continue;
        if (!existsSync(path.join(dir, 'action.yml'))) {
          problems.push(`${job} step ${i + 1}: ${step.uses} has no action.yml`);
          continue;
        }
        const action = parse(readFileSync(path.join(dir, 'action.yml'), 'utf8')) as {
          inputs?: Record<string, { required?: boolean; default?: unknown }>;
        };
        const declared = action.inputs ?? {};
        for (const key of Object.keys(step.with ?? {})) {
          if (!(key in declared)) problems.push(`${job} step ${i + 1}: ${step.uses} has no input "${key}"`);
        }
        for (const [key, spec] of Object.entries(declared)) {
          if (spec?.required && spec.default === undefined && !(key in (step.with ?? {}))) {
            problems.push(`${job} step ${i + 1}: ${step.uses} needs input "${key}"`);
          }
        }
      }
      expect(problems).toEqual([]);
    });

    it('calls reusable workflows with declared inputs and secrets', () => {
      const problems: string[] = [];
      for (const [job, spec] of jobs) {
        if (!spec.uses) continue;
        const target = localWorkflow(spec.uses);
        if (!target) continue;
        if (!existsSync(target)) {
          problems.push(`${job}: ${spec.uses} does not exist`);
          continue;
        }
        const called = parse(readFileSync(target, 'utf8')) as { on?: Record<string, unknown> };
        const call = (called.on?.workflow_call ?? {}) as {
          inputs?: Record<string, { required?: boolean }>;
          secrets?: Record<string, { required?: boolean }>;
        };
        if (!called.on || !('workflow_call' in called.on))
          problems.push(`${job}: ${spec.uses} is not callable`);
        for (const key of Object.keys(spec.with ?? {})) {
          if (!(key in (call.inputs ?? {}))) problems.push(`${job}: ${spec.uses} has no input "${key}"`);
        }
        for (const [key, input] of Object.entries(call.inputs ?? {})) {
          if (input?.required && !(key in (spec.with ?? {})))
            problems.push(`${job}: ${spec.uses} needs input "${key}"`);
        }
        if (spec.secrets !== 'inherit') {
          for (const key of Object.keys(spec.secrets ?? {})) {
            if (!(key in (call.secrets ?? {}))) problems.push(`${job}: ${spec.uses} has no secret "${key}"`);
          }
          for (const [key, secret] of Object.entries(call.secrets ?? {})) {
            if (secret?.required && !(key in (spec.secrets ?? {})))
              problems.push(`${job}: ${spec.uses} needs secret "${key}"`);
          }
        }
      }
      expect(problems).toEqual([]);
    });

    it('pins every third-party action and reusable workflow to a full commit SHA', () => {
      expect(unpinnedUses(workflow)).toEqual([]);
    });

    it('puts no call of rollback.yml in a concurrency group (a newer run would cancel it while it waits)', () => {
      expect(groupedRollbackCalls(workflow)).toEqual([]);
    });

    it('never names a slot in an analysis input (the live slot alternates: use {{slot}})', () => {
      const analysed = ['url', 'checks', 'queries', 'baseline-url'];
      const withs = [
        ...jobs.map(([job, spec]) => ({ where: job, with: spec.with ?? {} })),
        ...steps.map(({ job, i, step }) => ({ where: `${job} step ${i + 1}`, with: step.with ?? {} })),
      ];
      const named = withs.flatMap(({ where, with: given }) =>
        analysed
          .filter(
            (key) =>
              typeof given[key] === 'string' &&
              /slot\s*=~?\s*\\?"(blue|green)\\?"/.test(given[key] as string),
          )
          .map((key) => `${where}: ${key}`),
      );
      expect(named).toEqual([]);
    });

    it('never expands an expression inside a run: script', () => {
      const injected = steps
        .filter(({ step }) => step.run?.includes('${{'))
        .map(({ job, i }) => `${job} step ${i + 1}`);
      expect(injected).toEqual([]);
    });
  });
});

describe('no rollback can be dropped by a concurrency group or held for an approval', () => {
  const deploy = read('.github/workflows/deploy.yml');
  const rollback = read('.github/workflows/rollback.yml');

  it('rollback.yml shares no concurrency group with deploy.yml', () => {
    const deployGroups = new Set(concurrencyGroups(deploy).map((g) => g.group));
    expect(concurrencyGroups(rollback).filter((g) => deployGroups.has(g.group))).toEqual([]);
  });

  it('rollback.yml joins no concurrency group at all, on the workflow or a job', () => {
    // Not even a group of rollbacks alone: while one runs, the next waits,
    // and a third one queued cancels the one waiting.
    expect(concurrencyGroups(rollback)).toEqual([]);
  });

  it('deploy.yml keeps one group per environment and never cancels a running release; its rollback job has none', () => {
    expect(groupOf(deploy.concurrency)).toContain('inputs.environment');
    expect(cancelInProgress(deploy.concurrency)).toBe(false);
    expect(deploy.jobs?.rollback?.concurrency).toBeUndefined();
  });

  it.each([
    ['.github/workflows/deploy.yml', 'rollback'],
    ['.github/workflows/rollback.yml', 'rollback'],
  ])('%s: job %s runs only in rollback-environment, never in the gated environment', (file, job) => {
    expect(rollbackEnvironmentProblems(read(file), job)).toEqual([]);
  });

  it("single-actions.yml's release job waits in a per-environment group without cancelling a running release", () => {
    const release = read('examples/callers/workflows/single-actions.yml').jobs?.release;
    expect(groupOf(release?.concurrency) ?? 'no concurrency group').toContain('production');
    expect(cancelInProgress(release?.concurrency)).not.toBe(true);
  });

  it('catches what it is there to catch (checked on planted workflows)', () => {
    const planted = (yaml: string) => parse(yaml) as Workflow;
    // rollback.yml as it was: the deploy's group, and the gated environment.
    const shared = planted(`
on:
  workflow_call:
    inputs:
      environment: { type: string, required: true }
concurrency:
  group: glidepath-deploy-${OPEN} github.repository }}-${OPEN} inputs.environment }}
  cancel-in-progress: false
jobs:
  rollback:
    environment: ${OPEN} inputs.environment }}
    steps:
      - uses: o/glidepath/actions/rollback@v1
        with:
          environment: ${OPEN} inputs.environment }}
`);
    expect(concurrencyGroups(shared)).toEqual([
      { where: 'workflow', group: `glidepath-deploy-${OPEN}github.repository}}-${OPEN}inputs.environment}}` },
    ]);
    expect(rollbackEnvironmentProblems(shared, 'rollback')).toEqual([
      `job rollback runs in environment "${OPEN} inputs.environment }}", not only in inputs.rollback-environment`,
      "workflow_call has no input rollback-environment of type string defaulting to ''",
    ]);
    // Group names compare as GitHub compares them, whatever the case and spacing.
    expect(groupOf({ group: `Deploy-${OPEN} inputs.environment }}` })).toBe(
      groupOf(`deploy-${OPEN}inputs.environment}}`),
    );
    // The object form of environment counts too, and the ledger stays the workflow's environment.
    const objectForm = planted(`
on:
  workflow_call:
    inputs:
      rollback-environment: { type: string, default: "" }
jobs:
  rollback:
    environment: { name: production }
    steps:
      - uses: o/glidepath/actions/rollback@v1
        with:
          environment: ${OPEN} inputs.rollback-environment }}
`);
    expect(rollbackEnvironmentProblems(objectForm, 'rollback')).toEqual([
      'job rollback runs in environment "production", not only in inputs.rollback-environment',
      `job rollback's rollback step records to "${OPEN} inputs.rollback-environment }}", not inputs.environment`,
    ]);
    const caller = planted(`
concurrency: deploys-${OPEN} inputs.environment }}
jobs:
  production:
    uses: o/glidepath/.github/workflows/rollback.yml@v1
    concurrency: { group: rollbacks }
  other:
    uses: acme/shared/.github/workflows/x.yml@v2
    steps:
      - uses: actions/checkout@v4
      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683
`);
    expect(groupedRollbackCalls(caller)).toEqual([
      `production: the workflow's group deploys-${OPEN}inputs.environment}}`,
      'production: its group rollbacks',
    ]);
    expect(unpinnedUses(caller)).toEqual([
      'other: acme/shared/.github/workflows/x.yml@v2',
      'other step 1: actions/checkout@v4',
    ]);
  });
});
