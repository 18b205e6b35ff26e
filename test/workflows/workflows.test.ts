/**
 * Static checks of every workflow in the repository (ours and the examples a
 * user copies): each local action or reusable workflow that is used exists and
 * declares every `with:` key and `secrets:` name passed to it, required inputs
 * are given, third-party actions are pinned to a full commit SHA, and no
 * `${{ }}` expression is expanded inside a `run:` script (script injection).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
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
}
interface Workflow {
  on?: unknown;
  jobs?: Record<string, Job>;
}

function workflowFiles(): string[] {
  const dirs = [path.join(repoRoot, '.github/workflows')];
  const examples = path.join(repoRoot, 'examples');
  if (existsSync(examples)) {
    for (const entry of readdirSync(examples, { withFileTypes: true })) {
      const dir = path.join(examples, entry.name, 'workflows');
      if (entry.isDirectory() && existsSync(dir)) dirs.push(dir);
    }
  }
  return dirs.flatMap((dir) =>
    existsSync(dir)
      ? readdirSync(dir)
          .filter((f) => /\.ya?ml$/.test(f))
          .map((f) => path.join(dir, f))
      : [],
  );
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

const files = workflowFiles();
const relative = (file: string) => path.relative(repoRoot, file);

describe('workflows', () => {
  it('there are workflows to check', () => {
    expect(files.map(relative)).toContain('.github/workflows/ci.yml');
  });

  describe.each(files.map((f) => [relative(f), f]))('%s', (_name, file) => {
    const workflow = parse(readFileSync(file, 'utf8')) as Workflow;
    const jobs = Object.entries(workflow.jobs ?? {});
    const steps = jobs.flatMap(([job, spec]) => (spec.steps ?? []).map((step, i) => ({ job, i, step })));

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

    it('pins every third-party action to a full commit SHA', () => {
      const unpinned = steps
        .map(({ step }) => step.uses)
        .filter((uses): uses is string => Boolean(uses))
        .filter((uses) => !uses.startsWith('./') && !uses.startsWith('docker://') && !localActionDir(uses))
        .filter((uses) => !/@[0-9a-f]{40}$/.test(uses));
      expect(unpinned).toEqual([]);
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
