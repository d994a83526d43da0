#!/bin/bash
# Installs what berth needs on Debian 12: build dependencies, the programs berthd
# drives, and with --test the real clients and servers the test suite uses.
set -euo pipefail

build=(build-essential cmake pkg-config go-md2man
       libmicrohttpd-dev libjansson-dev libsystemd-dev libseccomp-dev libcap-dev
       libcurl4-openssl-dev libssl-dev liblmdb-dev libarchive-dev libcmocka-dev)
runtime=(runc conmon catatonit containernetworking-plugins)
test=(curl jq systemd python3 python3-pytest python3-yaml python3-docker podman openssh-server openssh-client
      docker-registry busybox-static apache2-utils)

want=("${build[@]}" "${runtime[@]}")
if [[ "${1:-}" == "--test" ]]; then
    want+=("${test[@]}")
    # The docker CLI: Debian ships it in docker.io; a newer one on PATH is used as is.
    command -v docker >/dev/null || want+=(docker.io)
fi

missing=()
for pkg in "${want[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
    echo "installing: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
