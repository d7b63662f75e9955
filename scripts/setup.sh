#!/usr/bin/env bash
# Sets up a fresh Debian machine (run as root) for nova-image: the Debian tools the build and the tests use,
# the npm dependencies, the TypeScript build and the guest code (loader stub, reference kernel, test guests).
set -euo pipefail
cd "$(dirname "$0")/.."

DEBIAN_PACKAGES=(
  gcc binutils make                       # x86_64 guest code: loader stub, reference kernel, CPU test guests
  gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu   # aarch64 guest code
  qemu-system-x86 qemu-system-arm         # the reference emulators the tests compare against
  ovmf qemu-efi-aarch64                   # UEFI firmware (OVMF, AAVMF)
  grub-pc-bin grub-efi-amd64-bin grub-common xorriso mtools dosfstools   # GRUB images (grub-mkrescue, grub-file)
  u-boot-qemu                             # U-Boot for qemu_arm64
  sbsigntool                              # sbverify parses our PE headers
  file                                    # recognises the arm64 Image header of the aarch64 image
  acpica-tools device-tree-compiler       # iasl, dtc
  dmidecode                               # reads the SMBIOS tables of the pc board's Linux path
  memtest86+ systemd-boot-efi tboot       # real third-party boot images that `inspect` tests explain
)
missing=()
for p in "${DEBIAN_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# The arm64 package index: the virt-board tests download (never install) Debian's arm64 kernel package.
need_update=0
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
  echo "setup: adding the arm64 package index (dpkg --add-architecture arm64)"
  dpkg --add-architecture arm64
  need_update=1
fi
export DEBIAN_FRONTEND=noninteractive
if [ ${#missing[@]} -gt 0 ] || [ $need_update -eq 1 ]; then
  apt-get update -q
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# `npm ci` refuses a lock file that lacks the other platforms' optional packages (rollup's native builds),
# and a registry mirror that serves only this platform's builds produces exactly such a lock file. Then the
# locked versions are installed with `npm install`, which accepts it.
if ! npm ci --no-audit --no-fund; then
  echo "setup: npm ci refused the lock file; installing the locked versions with npm install"
  npm install --no-audit --no-fund
fi
npm run -s build
