/** The Lua module Glidepath ships for `nginx-mode: dynamic`, loaded from the repository as a user installs it. */
export const GLIDEPATH_LUA_DIR: string;

export interface DynamicNginx {
  dir: string;
  /** What users hit. */
  url: string;
  /** `nginx-control-url` on loopback TCP. */
  control: string;
  /** The same endpoint on a unix socket (`unix:/…/control.sock`). */
  controlUnix: string;
  /**
   * A control server that takes the client address from X-Forwarded-For
   * (realip), so a test can make a request look as if it came from another
   * host — the only way to see a non-loopback client on loopback.
   */
  controlBehindProxy: string;
  stateFile: string;
  accessLog?: string;
  /** The pids of the running workers (children of the master). */
  workers(): Promise<number[]>;
  /** `nginx -s reload` (graceful): new workers, the shared dict kept. */
  reload(): Promise<void>;
  /** Stops nginx and starts it again from the same files: the shared dict is gone, the state file stays. */
  restart(): Promise<void>;
  errorLog(): Promise<string>;
  stop(): Promise<void>;
}

/**
 * Starts nginx configured as docs/nginx-dynamic.md says: one upstream block per
 * slot, the route declared in glidepath.setup(), `pick()` choosing the upstream
 * per request, and the control endpoint on loopback and a unix socket.
 */
export function startNginxDynamic(options: {
  /** The slots' server addresses (`127.0.0.1:8081`). */
  blue: string;
  green: string;
  route?: string;
  /** The `log_format glidepath …` directive (NGINX_LOG_FORMAT): writes the JSON access log. */
  accessLog?: string;
  /** Extra text inside the public location (e.g. `proxy_next_upstream error;`). */
  location?: string;
}): Promise<DynamicNginx>;
