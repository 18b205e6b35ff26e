/** A free TCP port on loopback (the OS picks; a tiny race is acceptable in tests). */
export function freePort(): Promise<number>;
