import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { hangingScript, pidsIn, running, stopPids } from '../../../test/support/processes.js';
import {
  childEnvironment,
  ProcessError,
  ProcessStoppedError,
  registerSecret,
  runProcess,
} from '../src/index.js';

const dir = mkdtempSync(path.join(tmpdir(), 'glidepath-process-'));
let n = 0;
function script(text: string): { file: string; pids: string } {
  n += 1;
  const file = path.join(dir, `script-${n}.sh`);
  const pids = path.join(dir, `pids-${n}`);
  writeFileSync(file, text.replaceAll('PIDS', pids), { mode: 0o755 });
  return { file, pids };
}

const leftovers: number[] = [];
afterEach(() => {
  stopPids(leftovers.splice(0));
  vi.unstubAllEnvs();
});

/** Waits (bounded) until the hanging script has written both pids. */
async function started(pidFile: string): Promise<number[]> {
  for (let i = 0; i < 400; i++) {
    const pids = await pidsIn(pidFile);
    if (pids.length >= 2) return pids;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`the script never wrote its pids to ${pidFile}`);
}

describe('runProcess', () => {
  it('passes arguments as an array: shell syntax stays literal', async () => {
    const result = await runProcess('printf', ['%s|', '$(echo injected)', 'a b;c'], {
      silent: true,
      timeoutMs: 10_000,
    });
    expect(result.stdout).toBe('$(echo injected)|a b;c|');
  });

  it('throws a ProcessError with the exit code and the redacted tail of stderr', async () => {
    registerSecret('pa55word-xyz');
    const error = await runProcess('sh', ['-c', 'echo "login failed for pa55word-xyz" >&2; exit 3'], {
      silent: true,
      timeoutMs: 10_000,
      label: 'deploy-command',
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProcessError);
    expect((error as ProcessError).exitCode).toBe(3);
    expect((error as ProcessError).message).toBe(
      'deploy-command (sh) exited with code 3:\nlogin failed for ***',
    );
  });

  it('redacts a secret that reaches the log split across two writes', async () => {
    registerSecret('split-secret-9876');
    const written: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    try {
      const result = await runProcess(
        'sh',
        ['-c', 'printf "key split-sec"; sleep 0.3; printf "ret-9876 end\\n"'],
        {
          timeoutMs: 10_000,
        },
      );
      expect(result.stdout).toBe('key *** end\n');
    } finally {
      spy.mockRestore();
    }
    const output = written
      .join('')
      .split('\n')
      .filter((line) => !line.startsWith('[command]'));
    expect(output).toContain('key *** end');
    expect(output.join('\n')).not.toContain('split-sec');
  });

  it('accepts listed exit codes and feeds standard input', async () => {
    const result = await runProcess('sh', ['-c', 'cat; exit 2'], {
      input: 'from stdin',
      okExitCodes: [0, 2],
      silent: true,
      timeoutMs: 10_000,
    });
    expect(result).toMatchObject({ exitCode: 2, stdout: 'from stdin' });
  });

  it('keeps the end of an output larger than it holds in memory, where the failure says why', async () => {
    // 9 MiB of filler, then the line that explains the failure.
    const error = await runProcess(
      'sh',
      [
        '-c',
        'head -c 9437184 /dev/zero | tr "\\0" a; echo; echo "the real error" >&2; echo "the real error"; exit 1',
      ],
      { silent: true, timeoutMs: 60_000 },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProcessError);
    expect((error as ProcessError).message).toContain('the real error');
    expect((error as ProcessError).result.stdout.endsWith('the real error\n')).toBe(true);
  });

  it.each([undefined, 0, Number.NaN, 2 ** 31])(
    'refuses a timeoutMs of %s instead of firing at once',
    async (timeoutMs) => {
      await expect(runProcess('true', [], { silent: true, timeoutMs: timeoutMs as number })).rejects.toThrow(
        /timeoutMs must be between 1 and/,
      );
    },
  );

  it('names a program that cannot be started', async () => {
    await expect(
      runProcess('definitely-not-a-program-xyz', [], { silent: true, timeoutMs: 10_000 }),
    ).rejects.toThrow(/definitely-not-a-program-xyz/);
  });

  it('stops a command at its timeout with every process it started, naming the input', async () => {
    const { file, pids } = script(hangingScript('PIDS'));
    const error = await runProcess(file, [], {
      silent: true,
      timeoutMs: 500,
      timeoutInput: 'deploy-timeout',
      label: 'deploy-command',
    }).catch((e: unknown) => e);
    const seen = await pidsIn(pids);
    leftovers.push(...seen);
    expect(error).toBeInstanceOf(ProcessStoppedError);
    expect((error as ProcessStoppedError).reason).toBe('timeout');
    expect((error as Error).message).toMatch(
      /^deploy-command \(.*script-\d+\.sh\) did not finish within 500ms \(deploy-timeout\); it ran .* and was stopped with every process of its group\. Its last output:\nhanging$/,
    );
    expect(seen).toHaveLength(2);
    // Returned only once the group was gone: nothing is left to race what runs next.
    expect(seen.filter(running)).toEqual([]);
  });

  it('kills a group that ignores SIGTERM', async () => {
    const { file, pids } = script(hangingScript('PIDS', { ignoreTerm: true }));
    const error = await runProcess(file, [], { silent: true, timeoutMs: 300 }).catch((e: unknown) => e);
    const seen = await pidsIn(pids);
    leftovers.push(...seen);
    expect(error).toBeInstanceOf(ProcessStoppedError);
    expect(seen).toHaveLength(2);
    expect(seen.filter(running)).toEqual([]);
  }, 20_000);

  it('stops the group when the job is cancelled, and starts nothing once it is', async () => {
    const { file, pids } = script(hangingScript('PIDS'));
    const controller = new AbortController();
    const call = runProcess(file, [], { silent: true, timeoutMs: 60_000, signal: controller.signal }).catch(
      (e: unknown) => e,
    );
    const seen = await started(pids);
    leftovers.push(...seen);
    expect(seen.filter(running)).toEqual(seen);
    controller.abort(new Error('cancelled'));
    const error = await call;
    expect(error).toBeInstanceOf(ProcessStoppedError);
    expect((error as ProcessStoppedError).reason).toBe('cancelled');
    expect((error as Error).message).toContain('was stopped because the job is being cancelled');
    expect(seen.filter(running)).toEqual([]);

    const marker = path.join(dir, 'never-started');
    const refused = await runProcess('sh', ['-c', `touch ${marker}`], {
      silent: true,
      timeoutMs: 10_000,
      signal: controller.signal,
    }).catch((e: unknown) => e);
    expect((refused as Error).message).toContain('was not started');
    expect(await pidsIn(marker)).toEqual([]);
  });

  it('returns when the command exits even if a background child keeps its output open, and leaves that child running', async () => {
    const { file, pids } = script("#!/bin/sh\nsleep 300 &\necho $! >> 'PIDS'\necho started\n");
    const result = await runProcess(file, [], { silent: true, timeoutMs: 60_000 });
    const [server] = await pidsIn(pids);
    leftovers.push(server!);
    expect(result.stdout).toBe('started\n');
    // A deploy script's server outlives the script: only a timeout or a cancel stops a group.
    expect(running(server!)).toBe(true);
  });
});

describe('childEnvironment', () => {
  it('keeps only the runner variables a caller names', () => {
    vi.stubEnv('ACTIONS_RUNTIME_TOKEN', 'rt');
    vi.stubEnv('ACTIONS_ID_TOKEN_REQUEST_TOKEN', 'oidc');
    const env = childEnvironment({}, { githubToken: false, runnerVariables: ['ACTIONS_RUNTIME_TOKEN'] });
    expect(env.ACTIONS_RUNTIME_TOKEN).toBe('rt');
    expect(env.ACTIONS_ID_TOKEN_REQUEST_TOKEN).toBeUndefined();
    expect(childEnvironment({}, { githubToken: false }).ACTIONS_RUNTIME_TOKEN).toBeUndefined();
  });

  it('drops the runner inputs, its ACTIONS_ tokens and GITHUB_TOKEN, and keeps what deploy scripts rely on', async () => {
    vi.stubEnv('INPUT_TOKEN', 'planted-input-token');
    vi.stubEnv('INPUT_DEPLOY-COMMAND', './deploy.sh');
    vi.stubEnv('ACTIONS_RUNTIME_TOKEN', 'planted-runtime-token');
    vi.stubEnv('ACTIONS_ID_TOKEN_REQUEST_TOKEN', 'planted-oidc-token');
    vi.stubEnv('GITHUB_TOKEN', 'planted-github-token');
    vi.stubEnv('SSH_AUTH_SOCK', '/tmp/agent.sock');
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIAEXAMPLE');
    const { stdout } = await runProcess('env', [], {
      silent: true,
      timeoutMs: 10_000,
      env: { SLOT: 'green' },
    });
    expect(stdout).not.toMatch(/planted|INPUT_|ACTIONS_|GITHUB_TOKEN/);
    expect(stdout).toContain('SSH_AUTH_SOCK=/tmp/agent.sock');
    expect(stdout).toContain('AWS_ACCESS_KEY_ID=AKIAEXAMPLE');
    expect(stdout).toContain('SLOT=green');
    expect(childEnvironment({}, { githubToken: true }).GITHUB_TOKEN).toBe('planted-github-token');
  });
});
