/**
 * Schemas of the structured analysis inputs (`checks`, `queries`). This module
 * is only loaded through a dynamic import from `fields.ts`, so zod stays out
 * of an action's start-up unless one of these inputs is set.
 */
import { z } from 'zod';
import { DURATION_LIMITS, formatBound } from '../inputs/duration.js';
import { parseJsonPath, parseStatusRanges } from './config.js';
import { withStandIns } from './templates.js';

// Checked with a stand-in for each placeholder: `http://{{address}}/healthz` is a URL once expanded.
const httpUrl = z.string().refine(
  (text) => {
    try {
      const url = new URL(withStandIns(text));
      return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
    } catch {
      return false;
    }
  },
  { message: 'expected an absolute http or https URL' },
);

const status = z
  .union([z.number(), z.string(), z.array(z.union([z.number(), z.string()]))])
  .refine((spec) => parseStatusRanges(spec) !== undefined, {
    message: 'expected status codes or ranges such as 200, "200-299", "2xx" or a list of them',
  });

const regex = z.string().refine(
  (text) => {
    try {
      new RegExp(text);
      return true;
    } catch {
      return false;
    }
  },
  { message: 'expected a regular expression' },
);

/** `300`, `300ms`, `1.5s` → milliseconds; undefined when it is not a latency. */
function latencyMs(value: number | string): number | undefined {
  if (typeof value === 'number') return value;
  const match = /^(\d+(?:\.\d+)?)(ms|s)?$/.exec(value.trim());
  if (!match) return undefined;
  return Number(match[1]) * (match[2] === 's' ? 1000 : 1);
}

// A latency bound above what one request may take (an interval's bound) cannot be met or missed.
const latency = z
  .union([z.number().positive(), z.string()])
  .refine((value) => latencyMs(value) !== undefined, {
    message: 'expected a duration such as 300ms or 1.5s (a bare number is milliseconds)',
  })
  .refine((value) => (latencyMs(value) ?? 0) <= DURATION_LIMITS.interval, {
    message: `expected a duration such as 300ms or 1.5s, at most ${formatBound(DURATION_LIMITS.interval)}`,
  });

/**
 * A header name as HTTP defines it (a `token`, RFC 9110 §5.1): no spaces,
 * colons, or control characters, so it cannot end the header it names.
 */
const headerName = z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, {
  message: "expected a header name (letters, digits and !#$%&'*+.^_`|~-, no spaces or colons)",
});

/**
 * A header value without CR, LF, NUL or another control character (a tab is
 * allowed, RFC 9110 §5.5), and no character beyond U+00FF, which Node refuses: a CR/LF would end the header and start another.
 * Refused here, when the input is read, rather than by the HTTP client at the
 * first probe, which is after traffic has moved.
 */
const headerValue = z
  .union([z.string(), z.number(), z.boolean()])
  .refine((value) => !/[^\t\u0020-\u007e\u0080-\u00ff]/.test(String(value)), {
    message:
      'expected a header value without CR, LF or other control characters, and nothing beyond U+00FF (what HTTP allows)',
  });

const jsonExpectations = z.record(z.string(), z.unknown()).superRefine((record, context) => {
  for (const path of Object.keys(record)) {
    if (!parseJsonPath(path))
      context.addIssue({ code: 'custom', path: [path], message: 'expected a path such as data.items[0].id' });
  }
});

export const checkSchema = z.strictObject({
  name: z.string().trim().min(1).optional(),
  url: httpUrl,
  method: z
    .string()
    .regex(/^[A-Za-z]+$/, { message: 'expected an HTTP method such as GET' })
    .optional(),
  headers: z.record(headerName, headerValue).optional(),
  status: status.optional(),
  body: regex.optional(),
  json: jsonExpectations.optional(),
  'max-latency': latency.optional(),
  'dry-run': z.boolean().optional(),
});

export const checksSchema = z.array(checkSchema);

export const querySchema = z
  .strictObject({
    name: z.string().trim().min(1),
    query: z.string().trim().min(1),
    max: z.number().optional(),
    min: z.number().optional(),
    compare: z
      .literal('live', { message: 'expected "live" (the only slot a query is compared with)' })
      .optional(),
    'max-increase': z
      .number()
      .min(0, { message: 'expected a number ≥ 0 (how much higher than live is tolerated)' })
      .optional(),
    'max-ratio': z
      .number()
      .positive({ message: 'expected a number > 0 (how many times the live value is tolerated, e.g. 1.5)' })
      .optional(),
    'dry-run': z.boolean().optional(),
  })
  .refine(
    (q) =>
      q.max !== undefined ||
      q.min !== undefined ||
      q['max-increase'] !== undefined ||
      q['max-ratio'] !== undefined,
    {
      message:
        'give "max", "min" or both (or, with compare: live, "max-increase" and/or "max-ratio"): a query without bounds cannot fail',
    },
  )
  .refine((q) => q.compare === 'live' || (q['max-increase'] === undefined && q['max-ratio'] === undefined), {
    message: '"max-increase" and "max-ratio" are bounds relative to the live slot: add compare: live',
  })
  .refine((q) => q.compare !== 'live' || q['max-increase'] !== undefined || q['max-ratio'] !== undefined, {
    message: 'compare: live needs "max-increase" and/or "max-ratio" (how much worse than live is tolerated)',
  })
  .refine((q) => q.max === undefined || q.min === undefined || q.min <= q.max, {
    message: '"min" is above "max"',
  });

export const queriesSchema = z.array(querySchema);

export type CheckEntry = z.output<typeof checkSchema>;
export type QueryEntry = z.output<typeof querySchema>;
