/**
 * A free TCP port on 127.0.0.1 for a server bound later: from below the kernel's
 * ephemeral range, in a block of its own per vitest worker, handed out once per process.
 */
export function freePort(): Promise<number>;
