import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { everythingVisible, runMain } from '../../../test/harness/runner.js';
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
      `SELECT 'advisory-locks=' || count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted;
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
    expect(failing.log).toMatch(/psql exited with code 1/);

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
});
