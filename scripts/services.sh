#!/usr/bin/env bash
# Installs and starts the real services Glidepath's tests run against, all on
# loopback: PostgreSQL, MariaDB and an OCI registry as shared servers; nginx,
# HAProxy, Prometheus, InfluxDB, Alertmanager, VictoriaMetrics and buildah as
# binaries the tests start per case (test/support/*.ts).
#
#   scripts/services.sh install   Debian packages (needs root; runs apt-get update first)
#   scripts/services.sh start     start the shared servers if they are not running (idempotent)
#   scripts/services.sh stop      stop them
#   scripts/services.sh env       print the variables the tests read
#
# The same script serves developers and CI (.ci/run). State lives in
# $GLIDEPATH_SERVICES_DIR (default /tmp/glidepath-services).
set -euo pipefail
# Server binaries (mariadbd, nginx, haproxy) live in sbin, which a non-root PATH lacks.
export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"

DIR="${GLIDEPATH_SERVICES_DIR:-/tmp/glidepath-services}"
PG_PORT="${GLIDEPATH_PG_PORT:-55432}"
MARIADB_PORT="${GLIDEPATH_MARIADB_PORT:-53306}"
REGISTRY_PORT="${GLIDEPATH_REGISTRY_PORT:-55000}"
PG_BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
# Test-only credentials for servers bound to 127.0.0.1 and thrown away afterwards.
PG_PASSWORD="glidepath-pg-test"
MARIADB_PASSWORD="glidepath-mariadb-test"

PACKAGES=(git openssl ca-certificates postgresql mariadb-server mariadb-client nginx-light libnginx-mod-http-lua haproxy prometheus influxdb prometheus-alertmanager victoria-metrics docker-registry buildah busybox-static iproute2 procps curl apache2-utils)

log() { printf '[services] %s\n' "$*" >&2; }

as_user() { # as_user USER CMD... — root runs server tools as their own user; others run them as themselves
  local user="$1"; shift
  if [ "$(id -u)" -eq 0 ]; then runuser -u "$user" -- "$@"; else "$@"; fi
}

install() {
  local missing=()
  for p in "${PACKAGES[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  if [ "${#missing[@]}" -gt 0 ]; then
    [ "$(id -u)" -eq 0 ] || { log "need root to install: ${missing[*]} (run: sudo $0 install)"; exit 1; }
    log "installing ${missing[*]}"
    apt-get update -qq
    # Package scripts must not start the distribution's own copies of these servers.
    # (A policy that exists only for this install: removed afterwards, unless one was there before.)
    local own_policy=0
    if [ ! -e /usr/sbin/policy-rc.d ]; then
      printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
      own_policy=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    if [ "$own_policy" = 1 ]; then rm -f /usr/sbin/policy-rc.d; fi
  fi
  # buildah pushes to the loopback registry over plain HTTP; containers tools
  # learn that per registry from registries.conf, not from a global TLS switch.
  if [ "$(id -u)" -eq 0 ]; then
    mkdir -p /etc/containers/registries.conf.d
    cat > /etc/containers/registries.conf.d/50-glidepath-loopback.conf <<CONF
[[registry]]
location = "127.0.0.1:${REGISTRY_PORT}"
insecure = true

[[registry]]
location = "localhost:${REGISTRY_PORT}"
insecure = true
CONF
  fi
}

start_postgres() {
  local home="$DIR/postgres" data="$DIR/postgres/data"
  if [ -n "$PG_BIN" ] && "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT"; then return; fi
  [ -n "$PG_BIN" ] || { log "PostgreSQL server binaries not found (run: sudo $0 install)"; exit 1; }
  local owner; owner="$( [ "$(id -u)" -eq 0 ] && echo postgres || id -un )"
  if [ ! -s "$data/PG_VERSION" ]; then
    log "initialising PostgreSQL in $data"
    rm -rf "$home"; mkdir -p "$data"; chown -R "$owner" "$home"; chmod 700 "$data"
    printf '%s\n' "$PG_PASSWORD" > "$home/password"; chown "$owner" "$home/password"
    as_user "$owner" "$PG_BIN/initdb" -D "$data" -U glidepath --pwfile="$home/password" -A scram-sha-256 \
      --auth-local=trust -E UTF8 --locale=C.UTF-8 >/dev/null
    rm -f "$home/password"
  fi
  # A machine that was stopped leaves postmaster.pid behind; when its pid now
  # belongs to another process, PostgreSQL would refuse to start.
  if [ -f "$data/postmaster.pid" ]; then
    local stale_pid; stale_pid="$(head -n 1 "$data/postmaster.pid")"
    if ! ps -p "$stale_pid" -o comm= 2>/dev/null | grep -q postgres; then rm -f "$data/postmaster.pid"; fi
  fi
  log "starting PostgreSQL on 127.0.0.1:$PG_PORT"
  as_user "$owner" "$PG_BIN/pg_ctl" -D "$data" -l "$home/postgres.log" -w -t 60 start \
    -o "-h 127.0.0.1 -p $PG_PORT -k $home -c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" >/dev/null
}

start_mariadb() {
  local home="$DIR/mariadb" data="$DIR/mariadb/data" sock="$DIR/mariadb/mariadb.sock"
  if mariadb-admin --protocol=tcp -h 127.0.0.1 -P "$MARIADB_PORT" -u glidepath -p"$MARIADB_PASSWORD" ping >/dev/null 2>&1; then return; fi
  local owner; owner="$( [ "$(id -u)" -eq 0 ] && echo mysql || id -un )"
  local fresh=0
  if [ ! -d "$data/mysql" ]; then
    log "initialising MariaDB in $data"
    rm -rf "$home"; mkdir -p "$data"; chown -R "$owner" "$home"
    as_user "$owner" mariadb-install-db --no-defaults --datadir="$data" --auth-root-authentication-method=socket \
      --skip-test-db >/dev/null 2>&1
    fresh=1
  fi
  log "starting MariaDB on 127.0.0.1:$MARIADB_PORT"
  as_user "$owner" bash -c "nohup mariadbd --no-defaults --datadir='$data' --socket='$sock' --bind-address=127.0.0.1 \
    --port=$MARIADB_PORT --pid-file='$home/mariadb.pid' --log-error='$home/mariadb.log' --max-connections=300 \
    --innodb-flush-log-at-trx-commit=0 --skip-name-resolve >/dev/null 2>&1 &"
  for _ in $(seq 1 120); do
    if mariadb-admin --no-defaults --socket="$sock" -u root ping >/dev/null 2>&1 || \
       as_user "$owner" mariadb-admin --no-defaults --socket="$sock" -u "$owner" ping >/dev/null 2>&1; then break; fi
    sleep 0.5
  done
  local admin=(mariadb --no-defaults --socket="$sock" -u root)
  [ "$(id -u)" -eq 0 ] || admin=(mariadb --no-defaults --socket="$sock" -u "$(id -un)")
  "${admin[@]}" -e "CREATE USER IF NOT EXISTS 'glidepath'@'127.0.0.1' IDENTIFIED BY '$MARIADB_PASSWORD';
    CREATE USER IF NOT EXISTS 'glidepath'@'localhost' IDENTIFIED BY '$MARIADB_PASSWORD';
    GRANT ALL PRIVILEGES ON *.* TO 'glidepath'@'127.0.0.1' WITH GRANT OPTION;
    GRANT ALL PRIVILEGES ON *.* TO 'glidepath'@'localhost' WITH GRANT OPTION;
    FLUSH PRIVILEGES;" || { log "MariaDB did not come up; see $home/mariadb.log"; tail -20 "$home/mariadb.log" >&2; exit 1; }
  : "$fresh"
}

start_registry() {
  if curl -fsS "http://127.0.0.1:$REGISTRY_PORT/v2/" >/dev/null 2>&1; then return; fi
  mkdir -p "$DIR/registry"
  cat > "$DIR/registry.yml" <<CONF
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $DIR/registry
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$REGISTRY_PORT
CONF
  log "starting the OCI registry on 127.0.0.1:$REGISTRY_PORT"
  nohup docker-registry serve "$DIR/registry.yml" >"$DIR/registry.log" 2>&1 &
  echo $! > "$DIR/registry.pid"
  for _ in $(seq 1 60); do curl -fsS "http://127.0.0.1:$REGISTRY_PORT/v2/" >/dev/null 2>&1 && return; sleep 0.25; done
  log "the registry did not come up; see $DIR/registry.log"; exit 1
}

print_env() {
  cat <<ENV
GLIDEPATH_PG_URL=postgres://glidepath:${PG_PASSWORD}@127.0.0.1:${PG_PORT}/postgres
GLIDEPATH_PG_BIN=${PG_BIN}
GLIDEPATH_MARIADB_URL=mysql://glidepath:${MARIADB_PASSWORD}@127.0.0.1:${MARIADB_PORT}/mysql
GLIDEPATH_REGISTRY=127.0.0.1:${REGISTRY_PORT}
GLIDEPATH_SERVICES_DIR=${DIR}
ENV
}

start() {
  mkdir -p "$DIR"; chmod 755 "$DIR"
  start_postgres
  start_mariadb
  start_registry
  print_env > "$DIR/services.env"
  log "ready: $(tr '\n' ' ' < "$DIR/services.env" | sed -E 's#://[^:]+:[^@]+@#://…@#g')"
}

stop() {
  [ -n "$PG_BIN" ] && [ -d "$DIR/postgres" ] && as_user "$( [ "$(id -u)" -eq 0 ] && echo postgres || id -un )" \
    "$PG_BIN/pg_ctl" -D "$DIR/postgres/data" -m fast stop >/dev/null 2>&1 || true
  [ -f "$DIR/mariadb/mariadb.pid" ] && kill "$(cat "$DIR/mariadb/mariadb.pid")" 2>/dev/null || true
  [ -f "$DIR/registry.pid" ] && kill "$(cat "$DIR/registry.pid")" 2>/dev/null || true
  log "stopped"
}

case "${1:-}" in
  install) install ;;
  start) start ;;
  stop) stop ;;
  env) print_env ;;
  *) echo "usage: $0 install|start|stop|env" >&2; exit 2 ;;
esac
