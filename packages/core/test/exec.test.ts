import { describe, expect, it } from 'vitest';
import { execFile, ProcessError, registerSecret } from '../src/index.js';

describe('execFile', () => {
  it('passes arguments as an array: shell syntax stays literal', async () => {
    const result = await execFile('printf', ['%s|', '$(echo injected)', 'a b;c'], { silent: true });
    expect(result.stdout).toBe('$(echo injected)|a b;c|');
  });

  it('throws a ProcessError with the exit code and the redacted tail of stderr', async () => {
    registerSecret('pa55word-xyz');
    const error = await execFile('sh', ['-c', 'echo "login failed for pa55word-xyz" >&2; exit 3'], {
      silent: true,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProcessError);
    expect((error as ProcessError).exitCode).toBe(3);
    expect((error as ProcessError).message).toBe('sh exited with code 3:\nlogin failed for ***');
  });

  it('accepts listed exit codes and feeds standard input', async () => {
    const result = await execFile('sh', ['-c', 'cat; exit 2'], {
      input: 'from stdin',
      okExitCodes: [0, 2],
      silent: true,
    });
    expect(result).toMatchObject({ exitCode: 2, stdout: 'from stdin' });
  });

  it('names a program that cannot be started', async () => {
    await expect(execFile('definitely-not-a-program-xyz', [], { silent: true })).rejects.toThrow(
      /definitely-not-a-program-xyz/,
    );
  });
});
