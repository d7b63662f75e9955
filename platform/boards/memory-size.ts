import { BoardConfigError } from './errors.js';

const UNITS: Readonly<Record<string, number>> = { '': 1, K: 2 ** 10, M: 2 ** 20, G: 2 ** 30, T: 2 ** 40 };

/**
 * Parses a RAM size as QEMU's `-m` does ("512M", "2G", "64MiB", "1024" = MiB when no unit, "4096B" = bytes).
 * The result is a byte count below 2^53.
 */
export function parseMemorySize(text: string, board = 'any'): number {
  const m = /^(\d+)([KMGT]?)(i?B)?$/i.exec(text.trim());
  if (!m) throw new BoardConfigError(board, '--memory', `cannot parse size "${text}" (examples: 512M, 2G)`);
  const n = Number(m[1]);
  const unit = m[2]!.toUpperCase();
  // QEMU: a bare number means MiB; a trailing "B" alone means bytes.
  const scale = unit === '' ? (m[3] ? 1 : UNITS.M!) : UNITS[unit]!;
  const bytes = n * scale;
  if (!Number.isSafeInteger(bytes) || bytes <= 0) {
    throw new BoardConfigError(board, '--memory', `size "${text}" is out of range`);
  }
  return bytes;
}

export function formatMemorySize(bytes: number): string {
  for (const [unit, scale] of [['G', 2 ** 30], ['M', 2 ** 20], ['K', 2 ** 10]] as const) {
    if (bytes % scale === 0) return `${bytes / scale}${unit}`;
  }
  return `${bytes}B`;
}
