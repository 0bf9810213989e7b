#!/usr/bin/env bash
# Runs a locally built image's filesystem with chroot, for machines where `podman run` cannot
# start containers (e.g. no permission to set rlimits) but podman can build and mount images.
# Not a container: no namespaces, no cgroups, the host's network (so 127.0.0.1 is the host's).
# It does run the image's own JRE, jars, scripts, environment, user and working directory, so
# it checks what `podman build` produced. Optional; CI does not run it. Needs root.
#
#   docker/chroot-run.sh IMAGE [NAME=VALUE...] [-- ARG...]
#
# NAME=VALUE pairs are added to the image's environment (as `docker run -e`); ARGs replace the
# image's CMD (as `docker run IMAGE ARG...`); ENTRYPOINT=... replaces the entry point, split
# on blanks. The container's root filesystem is removed on exit.
set -euo pipefail

[ "$#" -ge 1 ] || { sed -n '2,14p' "$0" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "chroot-run: run as root" >&2; exit 1; }
image="$1"
shift
extra_env=()
while [ "$#" -gt 0 ] && [ "$1" != "--" ]; do
  extra_env+=("$1")
  shift
done
[ "$#" -eq 0 ] || shift

format() { podman image inspect --format "$1" "$image"; }
mapfile -t image_env < <(format '{{range .Config.Env}}{{println .}}{{end}}' | sed '/^$/d')
mapfile -t entrypoint < <(format '{{range .Config.Entrypoint}}{{println .}}{{end}}' | sed '/^$/d')
mapfile -t cmd < <(format '{{range .Config.Cmd}}{{println .}}{{end}}' | sed '/^$/d')
user="$(format '{{.Config.User}}')"
workdir="$(format '{{.Config.WorkingDir}}')"
for pair in "${extra_env[@]}"; do
  if [[ "$pair" == ENTRYPOINT=* ]]; then
    read -r -a entrypoint <<<"${pair#ENTRYPOINT=}"
    cmd=()
  fi
done
[ "$#" -eq 0 ] || cmd=("$@")

name="chroot-run-$$"
podman create --name "$name" "$image" >/dev/null
root="$(podman mount "$name")"
# shellcheck disable=SC2317  # called by the EXIT trap
cleanup() {
  umount -l "$root/dev" "$root/proc" 2>/dev/null || true
  podman umount "$name" >/dev/null 2>&1 || true
  podman rm -f "$name" >/dev/null 2>&1 || true
}
trap cleanup EXIT
mount --rbind /dev "$root/dev"
mount -t proc proc "$root/proc"
cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
[ -d "$root/tmp" ] || mkdir -m 1777 "$root/tmp"

env_args=()
for pair in "${image_env[@]}" "${extra_env[@]}"; do
  [[ "$pair" == ENTRYPOINT=* ]] || env_args+=("$pair")
done
echo "chroot-run: $image as ${user:-root} in ${workdir:-/}: ${entrypoint[*]} ${cmd[*]}" >&2
# In the background, so that TERM/INT reach the command (as `docker stop` would) and the EXIT
# trap cleans up once it has ended.
# shellcheck disable=SC2016  # expanded by the inner bash
chroot --userspec="${user:-0:0}" "$root" /usr/bin/env -i "${env_args[@]}" \
  /bin/bash -c 'cd "$0" && exec "$@"' "${workdir:-/}" "${entrypoint[@]}" "${cmd[@]}" &
child=$!
trap 'kill -TERM "$child" 2>/dev/null || true' TERM INT
rc=0
while true; do
  wait "$child" && rc=0 || rc=$?
  kill -0 "$child" 2>/dev/null || break
done
exit "$rc"
