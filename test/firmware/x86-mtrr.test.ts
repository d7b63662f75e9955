/**
 * The MTRRs the pc board's firmware paths program (boot/firmware/x86-mtrr.ts). Linux's view of them is checked
 * by the Debian-kernel tests: with the MTRRs enabled it sets up PAT and prints the same configuration line as
 * under SeaBIOS, and it trims no RAM (it would warn "CPU MTRRs don't cover all of memory").
 */
import { describe, expect, it } from 'vitest';
import { programFirmwareMtrrs, uncachedHole } from '../../boot/firmware/x86-mtrr.js';
import { novaImage } from '../image/qemu.js';

describe('firmware MTRRs', () => {
  it.each([0x20000000, 0x1fff0000, 0x7fffe000, 0x80000000, 0xa0000000, 0x9ff00000])('the hole above %d is covered by aligned power-of-two blocks up to 4 GiB', (top) => {
    const blocks = uncachedHole(top);
    let at = Math.ceil(top / 2 ** 20) * 2 ** 20;
    for (const b of blocks) {
      expect(b.base).toBe(at);
      expect(Math.log2(b.size) % 1).toBe(0);
      expect(b.base % b.size).toBe(0);
      at += b.size;
    }
    expect(at).toBe(2 ** 32);
    expect(blocks.length).toBeLessThanOrEqual(8);
  });

  it('MMIO from 512 MiB: default WB, fixed ranges (VGA window UC, BIOS area WP) and 512 MiB up to 4 GiB UC', () => {
    const written = new Map<number, [number, number]>();
    programFirmwareMtrrs({ write: (i, lo, hi) => written.set(i, [lo, hi]) }, 0x20000000, 40);
    expect(written.get(0x2ff)).toEqual([0xc06, 0]); // E | FE | WB
    expect(written.get(0x250)).toEqual([0x06060606, 0x06060606]);
    expect(written.get(0x259)).toEqual([0, 0]);
    expect(written.get(0x26f)).toEqual([0x05050505, 0x05050505]);
    // 512 MiB at 512 MiB, 1 GiB at 1 GiB, 2 GiB at 2 GiB; masks within 40 address bits, valid bit set
    expect([0x200, 0x201, 0x202, 0x203, 0x204, 0x205].map((i) => written.get(i))).toEqual([
      [0x20000000, 0], [0xe0000800, 0xff], [0x40000000, 0], [0xc0000800, 0xff], [0x80000000, 0], [0x80000800, 0xff],
    ]);
    expect(written.has(0x206)).toBe(false);
  });
});

describe('firmware MTRRs on the pc board', () => {
  it.each(['16M', '17M', '513M', '2560M', '4G'])('--memory %s boots (the MMIO from the ECAM window fits the variable ranges)', (memory) => {
    const r = novaImage(['boot', 'build/nova-x86_64.img', '--via', 'linux', '--memory', memory]);
    expect(r.status, r.stderr).toBe(33);
  });
});
