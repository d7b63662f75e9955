// Builds what the tests run: the TypeScript CLI (dist/), the guest code (build/) and the default mono-images
// (build/nova-x86_64.img, build/nova-aarch64.img) that several suites boot. All steps are incremental or cheap.
// Failures here do not abort the run: test/build.test.ts reports them as failed tests, and the tests that
// need a missing artefact fail with their own message.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';

function step(command: string, args: string[]): { status: number | null; output: string } {
  const r = spawnSync(command, args, { encoding: 'utf8' });
  return { status: r.status, output: (r.stdout ?? '') + (r.stderr ?? '') };
}

export default function setup(): void {
  mkdirSync('build', { recursive: true });
  const tsc = step('node_modules/.bin/tsc', ['-p', 'tsconfig.json']);
  const make = step('make', ['-s', '-k', 'guests']);
  const images = [
    step('node', ['dist/tools/nova-image.js', 'build', '-o', 'build/nova-x86_64.img']),
    step('node', ['dist/tools/nova-image.js', 'build', '--arch', 'aarch64', '-o', 'build/nova-aarch64.img']),
  ];
  const failed = images.find((r) => r.status !== 0);
  writeFileSync(
    'build/setup-result.json',
    JSON.stringify({ tsc, make, images: failed ?? { status: 0, output: images.map((r) => r.output).join('') } }),
  );
}
