#!/usr/bin/env bash
# For .github/workflows/ci.yml: starts the sample service's v1 in slot blue and
# a non-root nginx on 127.0.0.1:8080 in front of both slots (green idle), then
# writes the router settings to $GITHUB_ENV for the steps that follow.
set -euo pipefail
dir="$RUNNER_TEMP/nginx"
mkdir -p "$dir"
export RUN_DIR="$RUNNER_TEMP/slots" BLUE_PORT=8081 GREEN_PORT=8082
IMAGE=shop:v1 SLOT=blue bash examples/sample-service/deploy-slot.sh
cat > "$dir/upstream.conf" <<CONF
upstream shop {
    server 127.0.0.1:8081 weight=100;
    server 127.0.0.1:8082 down;
}
CONF
cat > "$dir/nginx.conf" <<CONF
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events {}
http {
  access_log off;
  client_body_temp_path $dir/body;
  proxy_temp_path $dir/proxy;
  fastcgi_temp_path $dir/fastcgi;
  uwsgi_temp_path $dir/uwsgi;
  scgi_temp_path $dir/scgi;
  include $dir/upstream.conf;
  server {
    listen 127.0.0.1:8080;
    location / { proxy_pass http://shop; proxy_next_upstream off; }
  }
}
CONF
nginx_bin="$(command -v nginx || echo /usr/sbin/nginx)"
"$nginx_bin" -e "$dir/error.log" -c "$dir/nginx.conf" -p "$dir/"
{
  echo "RUN_DIR=$RUN_DIR"
  echo "BLUE_PORT=$BLUE_PORT"
  echo "GREEN_PORT=$GREEN_PORT"
  echo "UPSTREAM_FILE=$dir/upstream.conf"
  echo "NGINX_TEST=$nginx_bin -e $dir/error.log -c $dir/nginx.conf -p $dir/ -t"
  echo "NGINX_RELOAD=$nginx_bin -e $dir/error.log -c $dir/nginx.conf -p $dir/ -s reload"
} >> "$GITHUB_ENV"
