/**
 * `inspect`: explains any boot image. Each format has a detector (cheap magic check) and a describer (the
 * format's own reader); a file can match several (a mono-image is PE + bzImage + Multiboot2 + catalog).
 * A format whose magic is present but whose reader rejects the file becomes a Problem (with file, offset
 * and field); the CLI shows the report and then exits with code 2.
 */
import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { FormatError } from '../../common/errors.js';
import { hasArm64ImageHeader } from '../bzimage/arm64-image.js';
import { hasSetupHeader } from '../bzimage/setup-header.js';
import { describeCatalog } from './describe-catalog.js';
import { describeElf } from './describe-elf.js';
import { describeArm64, describeLinux } from './describe-linux.js';
import { describeMultiboot1, describeMultiboot2 } from './describe-multiboot.js';
import { describePe } from './describe-pe.js';
import { fact, hex, type Inspection, type Problem, type Section } from './model.js';

export * from './model.js';

/** A file in which no known boot-image format was found. */
export class UnknownImageError extends FormatError {}

type Described = { section: Section; format: string; problems?: Problem[] } | undefined;

interface Detector {
  id: string;
  title: string;
  /** Magic check; the Multiboot and catalog finders search themselves and return undefined when absent. */
  present(bytes: Uint8Array): boolean;
  describe(bytes: Uint8Array, file: string): Described;
}

const isElf = (b: Uint8Array) => b.length >= 4 && b[0] === 0x7f && b[1] === 0x45 && b[2] === 0x4c && b[3] === 0x46;
const isMz = (b: Uint8Array) => b.length >= 2 && b[0] === 0x4d && b[1] === 0x5a;

/** In display order. */
const DETECTORS: readonly Detector[] = [
  { id: 'elf', title: 'ELF', present: isElf, describe: describeElf },
  { id: 'pe', title: 'PE/COFF', present: isMz, describe: describePe },
  { id: 'linux', title: 'Linux setup header', present: hasSetupHeader, describe: describeLinux },
  { id: 'arm64', title: 'arm64 Image header', present: hasArm64ImageHeader, describe: describeArm64 },
  { id: 'multiboot1', title: 'Multiboot header', present: () => true, describe: describeMultiboot1 },
  { id: 'multiboot2', title: 'Multiboot2 header', present: () => true, describe: describeMultiboot2 },
  { id: 'catalog', title: 'payload catalog', present: () => true, describe: describeCatalog },
];

const GZIP_LIMIT = 512 << 20;

export function inspectImage(input: Uint8Array, file: string): Inspection {
  const sections: Section[] = [];
  const problems: Problem[] = [];
  const formats: string[] = [];
  let bytes = input;
  // tboot and some kernels ship gzip-compressed; look inside (GRUB does the same when loading them).
  if (input.length >= 2 && input[0] === 0x1f && input[1] === 0x8b) {
    let inner: Uint8Array;
    try {
      inner = new Uint8Array(gunzipSync(input, { maxOutputLength: GZIP_LIMIT }));
    } catch (e) {
      throw new UnknownImageError(file, 0, 'gzip', `gzip data does not decompress: ${(e as Error).message}`);
    }
    formats.push('gzip');
    sections.push({
      id: 'container',
      title: 'gzip container',
      facts: [fact('compressed', 'compressed size', input.length), fact('uncompressed', 'uncompressed size', inner.length)],
      tables: [],
    });
    bytes = inner;
  }
  for (const d of DETECTORS) {
    if (!d.present(bytes)) continue;
    try {
      const r = d.describe(bytes, file);
      if (!r) continue;
      sections.push(r.section);
      formats.push(r.format);
      problems.push(...(r.problems ?? []));
    } catch (e) {
      if (!(e instanceof FormatError)) throw e;
      problems.push({ section: d.id, file: e.file, offset: e.offset, field: e.field, rule: e.rule, message: e.message });
    }
  }
  if (sections.filter((s) => s.id !== 'container').length === 0 && problems.length === 0) {
    const head = Buffer.from(bytes.subarray(0, 4)).toString('hex');
    throw new UnknownImageError(file, 0, 'magic', `no known boot image format (ELF, PE/COFF, Linux bzImage, arm64 Image, Multiboot 1/2) found; file starts with ${head}${bytes.length < 4 ? ` and has only ${bytes.length} bytes` : ''}`);
  }
  return { file, size: input.length, sha256: createHash('sha256').update(input).digest('hex'), formats, sections, problems };
}

/** The first problem as a typed error (the CLI throws it after printing the report). */
export function firstProblemError(inspection: Inspection): FormatError | undefined {
  const p = inspection.problems[0];
  return p ? new FormatError(p.file, p.offset, p.field, p.rule) : undefined;
}

export { hex };
