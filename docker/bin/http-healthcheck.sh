#!/usr/bin/env bash
# Container healthcheck: GET http://127.0.0.1:PORT/PATH must answer 200.
#   http-healthcheck.sh                  the scorer: port SCORER_HTTP_PORT (8080), /health
#                                        (Micronaut answers 503 while a health indicator is DOWN)
#   http-healthcheck.sh 9404 /metrics    the scheduled trainer's metrics endpoint
# Uses bash's /dev/tcp, so the image needs no curl or wget.
set -u
port="${1:-${SCORER_HTTP_PORT:-8080}}"
path="${2:-/health}"
exec 3<>"/dev/tcp/127.0.0.1/$port" || exit 1
printf 'GET %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n' "$path" >&3
IFS= read -r -t 4 status <&3 || exit 1
case "$status" in
  "HTTP/1."?" 200"*) exit 0 ;;
  *) printf '%s: %s\n' "$path" "${status%$'\r'}"; exit 1 ;;
esac
