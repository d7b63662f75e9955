/**
 * Our ACPI parser against QEMU's real q35 tables, and our pc tables against QEMU's values for the things we
 * claim to do "as QEMU does". The tables come from a QEMU q35 machine running SeaBIOS (no guest): the
 * monitor's pmemsave dumps the BIOS area (RSDP) and the top of RAM (where SeaBIOS places the tables).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blobMemory, findRsdp, parseAcpi, regionsMemory, type AcpiTables } from '../../platform/acpi/parse.js';
import { decodeFadt } from '../../platform/acpi/fadt.js';
import { Gas } from '../../platform/acpi/gas.js';
import { decodeMadt } from '../../platform/acpi/madt.js';
import { decodeMcfg } from '../../platform/acpi/mcfg.js';
import { decodeHpet } from '../../platform/acpi/hpet.js';
import { pcBoard } from '../../platform/boards/pc/board.js';
import { buildPcAcpiTables } from '../../platform/acpi/pc-tables.js';

const tmp = mkdtempSync(join(tmpdir(), 'nova-acpi-qemu-'));
const RAM = 128 * 2 ** 20;
const TOP = RAM - 2 ** 20;
let qemu: AcpiTables;
let ours: AcpiTables;

/** Starts q35 + SeaBIOS, polls with pmemsave until the RSDP is in place, dumps, quits. 20 s at most. */
async function dumpQemuTables(): Promise<{ bios: Uint8Array; top: Uint8Array }> {
  const bios = join(tmp, 'bios.bin');
  const top = join(tmp, 'top.bin');
  const q = spawn('qemu-system-x86_64', ['-M', 'q35', '-m', '128M', '-display', 'none', '-serial', 'none', '-monitor', 'stdio', '-nodefaults', '-no-reboot'], {
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  try {
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      q.stdin.write(`pmemsave 0xe0000 0x20000 "${bios}"\n`);
      await new Promise((r) => setTimeout(r, 300));
      if (existsSync(bios)) {
        const b = readFileSync(bios);
        if (findRsdp(regionsMemory([{ base: 0xe0000, bytes: b }])) !== undefined) {
          q.stdin.write(`pmemsave ${TOP} ${RAM - TOP} "${top}"\n`);
          await new Promise((r) => setTimeout(r, 500));
          return { bios: b, top: readFileSync(top) };
        }
      }
    }
    throw new Error('QEMU did not publish an RSDP within 20 s');
  } finally {
    // Ask politely, then make sure: no QEMU outlives the test.
    const exited = q.exitCode !== null ? Promise.resolve() : new Promise((r) => q.once('exit', r));
    q.stdin.end('quit\n');
    const guard = setTimeout(() => q.kill('SIGKILL'), 3_000);
    await exited;
    clearTimeout(guard);
  }
}

beforeAll(async () => {
  const { bios, top } = await dumpQemuTables();
  const mem = regionsMemory([{ base: 0xe0000, bytes: bios }, { base: TOP, bytes: top }], 'qemu-q35');
  qemu = parseAcpi(mem, findRsdp(mem)!, 'qemu-q35');
  const img = buildPcAcpiTables(pcBoard({ memoryBytes: RAM }));
  ours = parseAcpi(blobMemory(img.base, img.bytes), img.rsdpAddress, 'ours');
}, 60_000);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const body = (t: AcpiTables, sig: string) => t.get(sig)!.bytes;

describe('QEMU q35 ACPI tables through our parser', () => {
  it('walks RSDP -> RSDT -> FACP/APIC/HPET/MCFG and FADT -> DSDT/FACS with every checksum valid', () => {
    expect(qemu.root.signature).toBe('RSDT');
    const sigs = qemu.tables.map((t) => t.signature);
    for (const s of ['FACP', 'APIC', 'HPET', 'MCFG', 'DSDT', 'FACS']) expect(sigs).toContain(s);
  });

  it('our FADT PM blocks and SCI equal QEMU q35 (ICH9 at PMBASE 0x600)', () => {
    const a = decodeFadt(body(ours, 'FACP'));
    const b = decodeFadt(body(qemu, 'FACP'));
    for (const f of ['sci_int', 'pm1a_evt_blk', 'pm1a_cnt_blk', 'pm_tmr_blk', 'gpe0_blk', 'pm1_evt_len', 'pm1_cnt_len', 'pm_tmr_len', 'gpe0_blk_len', 'century'] as const) {
      expect(a[f], f).toBe(b[f]);
    }
    // Same reset register (I/O port 0xcf9, 8 bits); the access-size field may differ (we say "byte", QEMU
    // leaves it "undefined/legacy"), and any value with RST_CPU set resets.
    const gas = (g: Uint8Array) => Gas.read(new DataView(g.buffer, g.byteOffset, g.length), 0);
    const [ra, rb] = [gas(a.reset_reg), gas(b.reset_reg)];
    expect([ra.address_space_id, ra.register_bit_width, ra.address]).toEqual([rb.address_space_id, rb.register_bit_width, rb.address]);
    expect(b.reset_value & 0x4).toBe(0x4);
    expect(a.reset_value & 0x4).toBe(0x4);
  });

  it('our MADT has the same IOAPIC, overrides and LAPIC NMI as QEMU q35', () => {
    const a = decodeMadt(body(ours, 'APIC'));
    const b = decodeMadt(body(qemu, 'APIC'));
    expect(a.localApicAddress).toBe(b.localApicAddress);
    expect(a.flags).toBe(b.flags);
    const pick = (m: typeof a) => m.entries.filter((e) => e.type !== 'local-apic');
    expect(pick(a)).toEqual(pick(b));
    expect(a.entries.filter((e) => e.type === 'local-apic')).toEqual(b.entries.filter((e) => e.type === 'local-apic'));
  });

  it('our MCFG and HPET describe the same windows as QEMU q35', () => {
    expect(decodeMcfg(body(ours, 'MCFG'))).toEqual(decodeMcfg(body(qemu, 'MCFG')));
    const a = decodeHpet(body(ours, 'HPET'));
    const b = decodeHpet(body(qemu, 'HPET'));
    expect(a.base.address).toBe(b.base.address);
    expect(a.event_timer_block_id).toBe(b.event_timer_block_id);
  });

  it("QEMU's DSDT uses the same \\_S5 sleep type as ours (iasl reads both)", () => {
    const s5 = (bytes: Uint8Array, name: string) => {
      writeFileSync(join(tmp, `${name}.dat`), bytes);
      const r = spawnSync('iasl', ['-d', join(tmp, `${name}.dat`)], { cwd: tmp, encoding: 'utf8', timeout: 30_000 });
      expect(r.status).toBe(0);
      const dsl = readFileSync(join(tmp, `${name}.dsl`), 'utf8');
      const m = /Name \(_S5, Package \(0x04\)[^{]*\{\s*([^,\s]+),\s*([^,\s]+),/.exec(dsl);
      expect(m, `${name}: no _S5`).not.toBeNull();
      return [m![1], m![2]];
    };
    expect(s5(body(ours, 'DSDT'), 'ours-dsdt')).toEqual(s5(body(qemu, 'DSDT'), 'qemu-dsdt'));
  });
});
