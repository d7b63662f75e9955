import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FormatError } from '../../common/errors.js';
import { inspectImage } from '../../boot/inspect/index.js';
import { MEMTEST_EFI, SYSTEMD_STUB, tbootElf } from '../boot/helpers/debian-images.js';

/**
 * Corrupting header bytes of real images one at a time: inspect either reports (possibly with problems) or
 * throws a FormatError; any other exception would be a crash with a stack trace in the CLI.
 */
describe('inspectImage never crashes on corrupted headers', () => {
  for (const path of [MEMTEST_EFI, SYSTEMD_STUB, 'tboot']) {
    it(path, () => {
      const file = path === 'tboot' ? tbootElf() : path;
      const original = new Uint8Array(readFileSync(file)).subarray(0, 0x20000);
      let reports = 0;
      let errors = 0;
      for (let at = 0; at < 0x400; at += 1) {
        for (const value of [0x00, 0xff]) {
          if (original[at] === value) continue;
          const bytes = original.slice();
          bytes[at] = value;
          try {
            inspectImage(bytes, 'fuzz');
            reports++;
          } catch (e) {
            expect(e, `byte ${at} = ${value}`).toBeInstanceOf(FormatError);
            errors++;
          }
        }
      }
      expect(reports + errors).toBeGreaterThan(0x300);
    });
  }
});
