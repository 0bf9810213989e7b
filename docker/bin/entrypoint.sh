#!/usr/bin/env bash
# Entry point of the streamvae images.
#
#   entrypoint.sh scorer              the scoring service (dev.streamvae.scorer.ScorerApplication)
#   entrypoint.sh train [OPTION...]   one training run; OPTIONs as for `./anomaly train`
#   entrypoint.sh keygen [OPTION...]  write a model-signing key pair (`./anomaly keygen`)
#   entrypoint.sh COMMAND [ARG...]    anything else runs as is (e.g. bash, for a look inside)
#
# Kafka client settings come from the environment, the same way for both services:
#   KAFKA_BOOTSTRAP_SERVERS           the brokers
#   KAFKA_<KEY>                       any client setting: KAFKA_SECURITY_PROTOCOL is
#                                     security.protocol, KAFKA_SASL_JAAS_CONFIG sasl.jaas.config
#   KAFKA_<KEY>_FILE=/path            the value of KAFKA_<KEY> read from a file (secrets: a
#                                     mounted directory keeps them out of `docker inspect`)
# Empty KAFKA_* variables are dropped first, so a compose file can pass `${VAR:-}` through.
# The scorer reads KAFKA_* itself (Micronaut maps them to kafka.*); for the trainer they are
# written to a private client properties file given as --kafka-config (unless the command line
# has its own --kafka-config). Values are never printed.
set -euo pipefail

readonly APP_HOME=/opt/streamvae
readonly CLASSPATH_DIRS="$APP_HOME/app/*:$APP_HOME/lib/*"

die() {
  printf 'streamvae: %s\n' "$*" >&2
  exit 2
}

# KAFKA_<KEY>_FILE -> KAFKA_<KEY>; then unset empty KAFKA_* variables.
load_kafka_environment() {
  local name target file value
  for name in $(compgen -e); do
    case "$name" in
      KAFKA_*_FILE) ;;
      *) continue ;;
    esac
    target="${name%_FILE}"
    file="${!name}"
    unset "$name"
    [ -n "$file" ] || continue
    [ -z "${!target:-}" ] || die "both $target and ${target}_FILE are set; use one"
    [ -r "$file" ] || die "${target}_FILE: cannot read $file (missing, or not readable by uid $(id -u))"
    value="$(<"$file")"
    export "$target=$value"
  done
  for name in $(compgen -e); do
    case "$name" in
      KAFKA_*) [ -n "${!name}" ] || unset "$name" ;;
    esac
  done
}

# Writes every KAFKA_<KEY> but the bootstrap servers as a Java properties line to $1 (mode 600)
# and prints the keys written, space-separated.
write_kafka_properties() {
  local file="$1" name key value keys=""
  (umask 077 && : >"$file")
  for name in $(compgen -e | LC_ALL=C sort); do
    case "$name" in
      KAFKA_BOOTSTRAP_SERVERS) continue ;;
      KAFKA_?*) ;;
      *) continue ;;
    esac
    key="${name#KAFKA_}"
    key="${key,,}"
    key="${key//_/.}"
    value="${!name}"
    # java.util.Properties escapes: backslash first, then line breaks and a leading blank.
    value="${value//\\/\\\\}"
    value="${value//$'\n'/\\n}"
    value="${value//$'\r'/\\r}"
    [[ "$value" != " "* ]] || value="\\$value"
    printf '%s=%s\n' "$key" "$value" >>"$file"
    keys="$keys $key"
  done
  printf '%s' "${keys# }"
}

has_kafka_config_option() {
  local arg
  for arg in "$@"; do
    case "$arg" in
      --kafka-config|--kafka-config=*) return 0 ;;
    esac
  done
  return 1
}

main() {
  local mode="${1:-scorer}"
  [ "$#" -eq 0 ] || shift
  load_kafka_environment
  # JAVA_OPTS: extra JVM options, split on blanks (JAVA_TOOL_OPTIONS holds the image's defaults).
  local -a jvm=()
  read -r -a jvm <<<"${JAVA_OPTS:-}"
  case "$mode" in
    scorer)
      exec java "${jvm[@]}" -cp "$CLASSPATH_DIRS" dev.streamvae.scorer.ScorerApplication "$@"
      ;;
    train)
      local -a config=()
      if ! has_kafka_config_option "$@"; then
        local file keys
        file="$(mktemp "${TMPDIR:-/tmp}/streamvae-kafka-XXXXXX.properties")"
        keys="$(write_kafka_properties "$file")"
        if [ -n "$keys" ]; then
          printf 'streamvae: kafka client settings from the environment: %s\n' "$keys" >&2
          config=(--kafka-config "$file")
        fi
      fi
      exec java "${jvm[@]}" -Dlogback.configurationFile="$APP_HOME/conf/logback-trainer.xml" \
        -cp "$CLASSPATH_DIRS" dev.streamvae.trainer.TrainCommand "${config[@]}" "$@"
      ;;
    keygen)
      exec java "${jvm[@]}" -cp "$CLASSPATH_DIRS" dev.streamvae.trainer.KeygenCommand "$@"
      ;;
    *)
      exec "$mode" "$@"
      ;;
  esac
}

# Sourcing the file (tests) defines the functions without running anything.
if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  main "$@"
fi
