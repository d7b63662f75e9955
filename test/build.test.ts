import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// test/global-setup.ts ran both builds before any test; this file turns their results into verdicts.
const result = JSON.parse(readFileSync('build/setup-result.json', 'utf8')) as Record<string, { status: number; output: string }>;

describe('project build', () => {
  it('TypeScript compiles in strict mode without errors', () => {
    expect(result.tsc!.output.trim()).toBe('');
    expect(result.tsc!.status).toBe(0);
  });
  it('guest code (loader stub, reference kernel, test guests) builds with gcc', () => {
    expect(result.make!.status, result.make!.output).toBe(0);
  });
  it('nova-image build writes the default x86_64 and aarch64 mono-images', () => {
    expect(result.images!.status, result.images!.output).toBe(0);
    expect(result.images!.output).toMatch(/wrote build\/nova-x86_64\.img/);
    expect(result.images!.output).toMatch(/wrote build\/nova-aarch64\.img/);
  });
});
