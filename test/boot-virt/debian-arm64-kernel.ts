/**
 * Debian's arm64 Linux kernel as a fixture for the virt board: linux-image-<abi>-cloud-arm64 (about 21 MB, the
 * smallest Debian arm64 kernel package), fetched once with `apt-get download <pkg>:arm64`; only
 * ./boot/vmlinuz-* is extracted (dpkg-deb --fsys-tarfile | tar). Debian's arm64 vmlinuz is the `Image` itself
 * (with the EFI stub's PE header); a gzip-compressed one (magic 1f 8b) is gunzipped, as QEMU's -kernel would.
 * Cached as build/fixtures/debian/arm64/Image-<abi> (git-ignored; its own folder so that the amd64 helper's
 * `vmlinuz-*` look-up in build/fixtures/debian/ never sees it). The .deb is deleted after extraction.
 *
 * apt can download an arm64 package on this amd64 host only when dpkg knows the foreign architecture: when
 * `dpkg --print-foreign-architectures` lacks arm64, this runs `dpkg --add-architecture arm64` and
 * `apt-get update` once (scripts/setup.sh should do the same so a fresh machine needs no network at test time).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { run } from '../boot/helpers/toolchain.js';

const FIXTURES = resolve('build/fixtures/debian/arm64');

function ensureArm64Architecture(): void {
  if (run('dpkg', ['--print-foreign-architectures']).split(/\s+/).includes('arm64')) return;
  run('dpkg', ['--add-architecture', 'arm64']);
  run('apt-get', ['update', '-q']);
}

/** Path of Debian's cloud-arm64 kernel Image, downloading and extracting it on first use. */
export function debianArm64Image(): string {
  mkdirSync(FIXTURES, { recursive: true });
  const cached = readdirSync(FIXTURES).find((f) => f.startsWith('Image-'));
  if (cached) return join(FIXTURES, cached);
  ensureArm64Architecture();
  const depends = run('apt-cache', ['depends', 'linux-image-cloud-arm64:arm64']);
  const pkg = /Depends: (linux-image-\S+-cloud-arm64)\b/.exec(depends)?.[1];
  if (!pkg) throw new Error(`apt-cache knows no linux-image-cloud-arm64:arm64 dependency (run apt-get update): ${depends}`);
  const work = mkdtempSync(join(FIXTURES, 'tmp-'));
  try {
    run('apt-get', ['download', '-q', `${pkg}:arm64`], work);
    const deb = readdirSync(work).find((f) => f.endsWith('.deb'));
    if (!deb) throw new Error(`apt-get download ${pkg}:arm64 produced no .deb`);
    execFileSync('sh', ['-c', `dpkg-deb --fsys-tarfile '${deb}' | tar -x --wildcards './boot/vmlinuz-*'`], { cwd: work, stdio: 'pipe' });
    const name = readdirSync(join(work, 'boot')).find((f) => f.startsWith('vmlinuz-'))!;
    let bytes: Uint8Array = readFileSync(join(work, 'boot', name));
    if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = gunzipSync(bytes);
    const abi = name.slice('vmlinuz-'.length);
    const tmp = join(work, 'Image');
    writeFileSync(tmp, bytes);
    const out = join(FIXTURES, `Image-${abi}`);
    // rename is atomic: a parallel test file either sees the whole kernel or none.
    if (!existsSync(out)) renameSync(tmp, out);
    return out;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
