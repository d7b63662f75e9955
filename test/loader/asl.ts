/** ASL fixtures compiled with Debian's iasl (acpica-tools), as a user would compile an override table. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/** Compiles an .asl source into outDir/<name>.aml. */
export function compileAsl(source: string, outDir: string): string {
  const base = join(outDir, source.replace(/^.*\//, '').replace(/\.asl$/, ''));
  const r = spawnSync('iasl', ['-p', base, source], { encoding: 'utf8', timeout: 30_000 });
  if (r.status !== 0) throw new Error(`iasl ${source} failed: ${r.stdout}${r.stderr}`);
  return `${base}.aml`;
}

/** iasl's own template of a data table (`iasl -T SIG`), compiled: a table no part of nova-image wrote. */
export function iaslTemplate(signature: string, outDir: string): string {
  const t = spawnSync('iasl', ['-T', signature], { cwd: outDir, encoding: 'utf8', timeout: 30_000 });
  if (t.status !== 0) throw new Error(`iasl -T ${signature} failed: ${t.stdout}${t.stderr}`);
  return compileAsl(join(outDir, `${signature.toLowerCase()}.asl`), outDir);
}
