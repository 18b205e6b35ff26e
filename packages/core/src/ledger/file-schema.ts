import { z } from 'zod';
import { formatVersion } from './file.js';

/** The shape of the JSON ledger file (see file.ts), checked whenever the file is read. */
const statusSchema = z.object({
  status: z.enum(['in_progress', 'success', 'failure', 'error', 'inactive']),
  reason: z.string().optional(),
  logUrl: z.string().optional(),
  environmentUrl: z.string().optional(),
  at: z.string(),
});

const recordSchema = z.object({
  id: z.string(),
  environment: z.string(),
  version: z.string(),
  slot: z.string(),
  commit: z.string().optional(),
  rollbackFrom: z.string().optional(),
  owner: z
    .object({
      kind: z.enum(['shift', 'rollback']),
      run: z.string().optional(),
      attempt: z.number().int().positive().optional(),
    })
    .optional(),
  flip: z.boolean().optional(),
  createdAt: z.string(),
  /** Oldest first, like a deployment's statuses on GitHub. */
  statuses: z.array(statusSchema),
});

export const fileSchema = z.object({
  version: z.literal(formatVersion),
  nextId: z.number().int().positive(),
  releases: z.array(recordSchema),
});

export type LedgerFile = z.infer<typeof fileSchema>;
export type ReleaseRecord = z.infer<typeof recordSchema>;
