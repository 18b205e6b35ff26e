import { createLedger, type Ledger } from '@glidepath/core';
import type { ShiftContext } from './context.js';

/** GitHub Deployments when a token is given (input or `GITHUB_TOKEN`), else the JSON ledger file. */
export function openLedger(context: Pick<ShiftContext, 'token' | 'ledgerFile'>): Ledger {
  return createLedger({ token: context.token, file: context.ledgerFile });
}
