// Builds what the tests run: the TypeScript CLI (dist/) and the guest code (build/). Both are incremental.
// Failures here do not abort the run: test/build.test.ts reports them as failed tests, and the tests that
// need a missing artefact fail with their own message.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';

export default function setup(): void {
  mkdirSync('build', { recursive: true });
  const tsc = spawnSync('node_modules/.bin/tsc', ['-p', 'tsconfig.json'], { encoding: 'utf8' });
  const make = spawnSync('make', ['-s', '-k', 'guests'], { encoding: 'utf8' });
  writeFileSync(
    'build/setup-result.json',
    JSON.stringify({
      tsc: { status: tsc.status, output: (tsc.stdout ?? '') + (tsc.stderr ?? '') },
      make: { status: make.status, output: (make.stdout ?? '') + (make.stderr ?? '') },
    }),
  );
}
