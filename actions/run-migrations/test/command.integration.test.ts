import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { everythingVisible, runMain } from '../../../test/harness/runner.js';
import { hangingScript, pidsIn, running, stopPids } from '../../../test/support/processes.js';
import { requireProgram } from '../../../test/support/services.js';
import { createPostgresDatabase, type TestDatabase, workspaceWith } from './databases.js';

const databases: TestDatabase[] = [];
afterEach(async () => {
  await Promise.all(databases.splice(0).map((d) => d.drop()));
});

describe('engine: command (the team’s own tool, here psql) on PostgreSQL', () => {
  it('runs the tool as an argument list under the advisory lock, with the timeouts in force', async () => {
    requireProgram('psql', 'postgresql-client');
    const db = await createPostgresDatabase();
    databases.push(db);
    const { workspace, dir } = workspaceWith({});
    writeFileSync(
      path.join(dir, 'schema.sql'),
      `SELECT 'advisory-locks=' || count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database());
SELECT 'lock-timeout=' || current_setting('lock_timeout');
CREATE TABLE made_by_psql (id int);\n`,
    );
    const run = await runMain({
      action: 'run-migrations',
      cwd: workspace,
      inputs: {
        'database-url': db.url,
        engine: 'command',
        command: 'psql -X -At -v ON_ERROR_STOP=1 -f "migrations/schema.sql"',
        'lock-timeout': '3s',
      },
    });
    expect(run.exitCode, run.log).toBe(0);
    expect(run.log).toContain('advisory-locks=1');
    expect(run.log).toContain('lock-timeout=3s');
    expect(run.summary).toContain('completed in');
    expect(await db.query("SELECT to_regclass('made_by_psql') IS NOT NULL AS made")).toEqual([
      { made: true },
    ]);
  });

  it('a failing tool fails the step; a shell command runs only when opted into, with the password masked', async () => {
    const db = await createPostgresDatabase();
    databases.push(db);
    const { workspace } = workspaceWith({});
    const failing = await runMain({
      action: 'run-migrations',
      cwd: workspace,
      inputs: {
        'database-url': db.url,
        engine: 'command',
        command: 'psql -X -v ON_ERROR_STOP=1 -c "SELECT nope"',
      },
    });
    expect(failing.exitCode).toBe(1);
    expect(failing.log).toMatch(/command \(psql\) exited with code 1/);

    const literal = await runMain({
      action: 'run-migrations',
      cwd: workspace,
      inputs: { 'database-url': db.url, engine: 'command', command: 'echo $DATABASE_URL && echo two' },
    });
    expect(literal.exitCode, literal.log).toBe(0);
    expect(literal.log).toContain('$DATABASE_URL && echo two');

    const shell = await runMain({
      action: 'run-migrations',
      cwd: workspace,
      inputs: {
        'database-url': db.url,
        engine: 'command',
        'command-shell': true,
        command: 'echo "url=$DATABASE_URL" && echo two',
      },
    });
    expect(shell.exitCode, shell.log).toBe(0);
    expect(shell.log).toMatch(/url=postgres:\/\/glidepath:\*\*\*@/);
    expect(everythingVisible(shell)).not.toContain(new URL(db.url).password);
  });

  it('stops a tool that hangs at command-timeout with every process it started, and releases the lock', async () => {
    const db = await createPostgresDatabase();
    databases.push(db);
    const { workspace } = workspaceWith({});
    const pidFile = path.join(workspace, 'tool.pids');
    const tool = path.join(workspace, 'tool.sh');
    writeFileSync(tool, hangingScript(pidFile), { mode: 0o755 });
    const hung = await runMain({
      action: 'run-migrations',
      cwd: workspace,
      inputs: { 'database-url': db.url, engine: 'command', command: tool, 'command-timeout': '1s' },
    });
    const pids = await pidsIn(pidFile);
    stopPids(pids);
    expect(hung.exitCode, hung.log).toBe(1);
    expect(hung.annotations[0]?.message).toMatch(
      /command \(.*tool\.sh\) did not finish within 1s \(command-timeout\); it ran .* and was stopped with every process of its group/,
    );
    expect(pids).toHaveLength(2);
    expect(pids.filter(running)).toEqual([]);

    // The lock went with it: a run that may not wait at all takes it, and the tool
    // sees the database but none of the step's inputs.
    const next = await runMain({
      action: 'run-migrations',
      cwd: workspace,
      env: { ACTIONS_RUNTIME_TOKEN: 'gp-planted-runtime-5b1c' },
      inputs: { 'database-url': db.url, engine: 'command', command: 'env', 'lock-wait': '0s' },
    });
    expect(next.exitCode, next.log).toBe(0);
    expect(next.log).toMatch(/^DATABASE_URL=postgres:\/\/glidepath:\*\*\*@/m);
    expect(next.log).not.toMatch(/^(INPUT_|ACTIONS_)/m);
    expect(next.log).not.toContain('gp-planted');
  });
});
