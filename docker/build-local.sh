#!/usr/bin/env bash
# Builds the scorer and trainer images with podman from LOCAL Debian bases, for machines that
# have no Docker engine and cannot reach a container registry (podman/buildah, debootstrap and a
# Debian mirror are enough). Optional and slow (first run: two debootstraps, then a Maven build
# per image that downloads the dependencies); CI does not run it. Idempotent: bases that exist
# are reused, images are rebuilt (layer cache permitting).
#
#   docker/build-local.sh            # bases (if missing) + both images
#   docker/build-local.sh bases      # only the base images
#   docker/build-local.sh scorer     # bases (if missing) + one image (scorer | trainer)
#
# Needs root (debootstrap, podman import). Settings (environment):
#   DEBIAN_MIRROR  Debian mirror for debootstrap (default: the first deb.debian.org-style URI
#                  apt uses here, else http://deb.debian.org/debian)
#   DEBIAN_SUITE   default bookworm (openjdk-17 is in bookworm main)
#   BASE_WORKDIR   where the root filesystems are assembled (default /var/tmp/streamvae-bases)
#   IMAGE_TAG      tag of the built images (default local)
#   BUILD_NETWORK  podman build --network value (default host: the Maven build downloads from
#                  Maven Central)
#   EXTRA_CA_CERTS directory of *.crt CA certificates the BUILD base's Java must trust, for
#                  networks whose egress re-signs TLS (default /usr/local/share/ca-certificates,
#                  i.e. what this host trusts beyond Debian's set; empty: none). The runtime base
#                  gets none of them.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
suite="${DEBIAN_SUITE:-bookworm}"
workdir="${BASE_WORKDIR:-/var/tmp/streamvae-bases}"
tag="${IMAGE_TAG:-local}"
network="${BUILD_NETWORK:-host}"
jdk_base="localhost/streamvae-base-jdk:${suite}"
jre_base="localhost/streamvae-base-jre:${suite}"

log() { printf '[build-local] %s\n' "$*" >&2; }

need() {
  command -v "$1" >/dev/null 2>&1 || {
    log "missing '$1' (apt-get install -y podman buildah debootstrap)"
    exit 1
  }
}

mirror() {
  if [ -n "${DEBIAN_MIRROR:-}" ]; then
    echo "$DEBIAN_MIRROR"
    return
  fi
  # deb822 sources (URIs:) or one-line sources (deb URI suite ...), main archive only.
  local uri
  uri=$(grep -hs -E '^(URIs:|deb )' /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list \
      /etc/apt/sources.list 2>/dev/null \
    | grep -v -e security -e nodesource -e google | grep -o 'https\?://[^ ]*/debian' | head -1 || true)
  echo "${uri:-http://deb.debian.org/debian}"
}

# trust_extra_cas ROOTFS: adds EXTRA_CA_CERTS/*.crt to the rootfs's Java trust store.
trust_extra_cas() {
  local dir="$1" ca_dir="${EXTRA_CA_CERTS-/usr/local/share/ca-certificates}" crt
  [ -n "$ca_dir" ] && [ -d "$ca_dir" ] || return 0
  need keytool
  for crt in "$ca_dir"/*.crt; do
    [ -f "$crt" ] || continue
    log "build base trusts extra CA $(basename "$crt")"
    keytool -importcert -noprompt -keystore "$dir/etc/ssl/certs/java/cacerts" \
      -storepass changeit -alias "extra-$(basename "$crt" .crt)" -file "$crt" >/dev/null
  done
}

# make_base NAME PACKAGE [trust-extra-cas]: debootstrap a minimal Debian with PACKAGE and import
# it as NAME.
make_base() {
  local name="$1" package="$2" extra="${3:-}" dir
  if podman image exists "$name"; then
    log "base $name exists; reusing it (podman rmi $name to rebuild)"
    return
  fi
  need debootstrap
  dir="$workdir/$(echo "$name" | tr '/:' '__')"
  rm -rf "$dir"
  mkdir -p "$dir" "$workdir/debs"
  log "debootstrap $suite + $package into $dir from $(mirror) (a few minutes)"
  debootstrap --variant=minbase --cache-dir="$workdir/debs" \
    --include="$package,ca-certificates" "$suite" "$dir" "$(mirror)" >"$dir.log" 2>&1 || {
      tail -20 "$dir.log" >&2
      log "debootstrap failed (log: $dir.log)"
      exit 1
    }
  [ "$extra" != trust-extra-cas ] || trust_extra_cas "$dir"
  # What a container base does not need: package lists, docs, man pages.
  rm -rf "$dir"/var/lib/apt/lists/* "$dir"/usr/share/doc/* "$dir"/usr/share/man/* \
    "$dir"/var/cache/apt/*.bin "$dir"/var/log/*.log
  log "importing $dir as $name"
  tar -C "$dir" --numeric-owner -c . \
    | podman import --change 'CMD ["/bin/bash"]' \
        --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
        --change 'ENV LANG=C.UTF-8' - "$name" >/dev/null
  rm -rf "$dir"
}

build_image() {
  local what="$1" start
  start=$(date +%s)
  log "building localhost/streamvae-$what:$tag (isolation chroot, network $network)"
  podman build --isolation chroot --pull=never --network "$network" --format docker \
    --build-arg BUILD_IMAGE="$jdk_base" --build-arg RUNTIME_IMAGE="$jre_base" \
    -f "$root/docker/$what.Dockerfile" -t "localhost/streamvae-$what:$tag" "$root"
  log "built localhost/streamvae-$what:$tag in $(( $(date +%s) - start )) s"
}

main() {
  need podman
  [ "$(id -u)" = 0 ] || { log "run as root (debootstrap and rootful podman)"; exit 1; }
  local target="${1:-all}"
  case "$target" in
    all|bases|scorer|trainer) ;;
    *) log "usage: $0 [all|bases|scorer|trainer]"; exit 2 ;;
  esac
  make_base "$jdk_base" openjdk-17-jdk-headless trust-extra-cas
  make_base "$jre_base" openjdk-17-jre-headless
  case "$target" in
    bases) ;;
    all) build_image scorer; build_image trainer ;;
    *) build_image "$target" ;;
  esac
  podman images --filter reference='localhost/streamvae-*' >&2
}

main "$@"
