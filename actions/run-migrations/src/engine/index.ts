import { errorMessage, OperationError } from '@glidepath/core';
import { type DatabaseTarget, readCa } from '../connection.js';
import { advisoryLockKey, namedLock } from '../lock.js';
import type { Database, Limits } from './types.js';

export type { Applied, Database, Limits } from './types.js';
export { HISTORY_TABLE } from './types.js';

/** Connects the right engine for the URL's scheme; a failure names the server, never the password. */
export async function connect(
  target: DatabaseTarget,
  options: { sslCa: string | undefined; limits: Limits; lockName: string },
): Promise<Database> {
  let ca: string | undefined;
  try {
    ca = readCa(options.sslCa);
  } catch (error) {
    throw new OperationError(`Cannot read ssl-ca ${options.sslCa}: ${errorMessage(error)}`);
  }
  try {
    if (target.kind === 'postgres') {
      const { connectPostgres } = await import('./postgres.js');
      return await connectPostgres({
        target,
        ca,
        limits: options.limits,
        lockKey: advisoryLockKey(options.lockName),
      });
    }
    const { connectMysql } = await import('./mysql.js');
    return await connectMysql({
      target,
      ca,
      limits: options.limits,
      lockName: namedLock(target.database, options.lockName),
    });
  } catch (error) {
    throw new OperationError(`Cannot connect to ${target.display}: ${errorMessage(error)}`, { cause: error });
  }
}
