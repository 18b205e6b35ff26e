#!/usr/bin/env bash
# Starts a version of the sample service in a slot: the `deploy-command` /
# `redeploy-command` Glidepath runs for hosts behind nginx or HAProxy.
# Glidepath sets IMAGE (what to run), SLOT (blue or green) and ENVIRONMENT.
#
# On a real host this would be a container, for example:
#   docker rm -f "shop-$SLOT"; docker run -d --name "shop-$SLOT" -p "$PORT:8080" "$IMAGE"
# Here (examples, tests, the demo) it runs server.mjs directly, with IMAGE as
# the version label, on the slot's port: BLUE_PORT / GREEN_PORT.
# RUN_DIR keeps each slot's pid file and log. Extra behaviour (LATENCY_MS,
# ERROR_RATE) passes through from the environment.
set -euo pipefail
: "${IMAGE:?IMAGE is required}" "${SLOT:?SLOT is required}"
RUN_DIR="${RUN_DIR:-${TMPDIR:-/tmp}/sample-service}"
port_var="$(echo "$SLOT" | tr '[:lower:]-' '[:upper:]_')_PORT"
PORT="${!port_var:?set $port_var to the port of slot $SLOT}"
mkdir -p "$RUN_DIR"
pid_file="$RUN_DIR/$SLOT.pid"

# Stop what runs in the slot now (it takes no traffic: Glidepath only deploys
# into the idle slot), and wait until its port is free.
if [ -f "$pid_file" ] && kill -0 "$(cat "$pid_file")" 2>/dev/null; then
  kill "$(cat "$pid_file")"
  for _ in $(seq 1 100); do kill -0 "$(cat "$pid_file")" 2>/dev/null || break; sleep 0.05; done
fi

here="$(cd "$(dirname "$0")" && pwd)"
PORT="$PORT" VERSION="$IMAGE" SLOT="$SLOT" nohup node "$here/server.mjs" >"$RUN_DIR/$SLOT.log" 2>&1 &
echo $! >"$pid_file"

# Ready when /healthz answers as this version from the process just started (x-pid):
# Glidepath shifts traffic only after this returns, so an answer from whatever
# else holds the port (the new process then fails to bind) must not count.
pid="$(cat "$pid_file")"
for _ in $(seq 1 100); do
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "sample-service $IMAGE exited in slot $SLOT (port $PORT); log:" >&2
    tail -20 "$RUN_DIR/$SLOT.log" >&2
    exit 1
  fi
  if EXPECT="$IMAGE" EXPECT_PID="$pid" node -e "fetch('http://127.0.0.1:$PORT/healthz').then(r => process.exit(r.ok && r.headers.get('x-version') === process.env.EXPECT && r.headers.get('x-pid') === process.env.EXPECT_PID ? 0 : 1), () => process.exit(1))"; then
    echo "sample-service $IMAGE is up in slot $SLOT on port $PORT"
    exit 0
  fi
  sleep 0.1
done
echo "sample-service $IMAGE did not become healthy in slot $SLOT; log:" >&2
tail -20 "$RUN_DIR/$SLOT.log" >&2
exit 1
