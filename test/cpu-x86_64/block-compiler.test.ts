/**
 * Compiled blocks against the interpreter: the block compiler (platform/cpu/x86_64/block-compiler.ts) inlines
 * the fast forms, stores RIP and the instruction count only before instructions that may need them, and
 * leaves out flag updates that are overwritten before anything can observe them. Each of those must be
 * invisible: random blocks (the host-native check's integer instructions of every size, mixed with
 * RIP-relative and RSP-based loads, stores and load-ALU forms, PUSH/POP and LEA) run on a CPU that compiles every block before
 * its first run and on one that only interprets, from the same state; registers, RFLAGS, RIP, the retired
 * count, the stop reason and memory must be equal. Directed cases cover a fault in the middle of a compiled
 * block (the flags and count it reports) and blocks that end on a page boundary.
 */
import { describe, expect, it } from 'vitest';
import { TestMachine } from '../../platform/cpu/x86_64/test-machine.js';
import { generateCases, Rng } from './native-cases.js';

const CODE = 0x100000;
const DATA = 0x180000; // RIP-relative data window, 4 KiB
const STACK = 0x300000;

interface Snippet {
  /** bytes for an instruction at `at` (RIP-relative forms need their own address) */
  bytes(at: number): number[];
}

const fixed = (code: number[]): Snippet => ({ bytes: () => code });

/** A RIP-relative ModRM form: prefix/opcode bytes, ModRM.reg, then disp32 to DATA + off (and trailing bytes). */
function ripRel(head: number[], reg: number, off: number, tail: number[] = []): Snippet {
  return {
    bytes(at) {
      const len = head.length + 1 + 4 + tail.length;
      const disp = DATA + off - (at + len);
      return [...head, ((reg & 7) << 3) | 5, disp & 0xff, (disp >>> 8) & 0xff, (disp >>> 16) & 0xff, (disp >>> 24) & 0xff, ...tail];
    },
  };
}

function memorySnippets(rng: Rng): Snippet[] {
  const out: Snippet[] = [];
  for (let k = 0; k < 40; k++) {
    const reg = [0, 1, 2, 3, 5, 6, 7, 8, 9, 12, 15][rng.below(11)]!;
    const rex = (w: boolean): number => 0x40 | (w ? 8 : 0) | (reg >> 3 ? 4 : 0);
    const off = rng.below(64) * 8;
    const below = (0x100 - 8 * (1 + rng.below(16))) & 0xff; // disp8 -8..-128: under RSP, where the outcome compares memory
    switch (rng.below(11)) {
      case 0: out.push(ripRel([rex(true), 0x8b], reg, off)); break; // MOV r64, [rip]
      case 1: out.push(ripRel([rex(false), 0x8b], reg, off)); break; // MOV r32, [rip]
      case 2: out.push(ripRel([rex(true), 0x89], reg, off)); break; // MOV [rip], r64
      case 3: out.push(ripRel([rex(false), 0x89], reg, off)); break; // MOV [rip], r32
      case 4: out.push(ripRel([rex(rng.below(2) === 0), [0x03, 0x0b, 0x23, 0x2b, 0x33, 0x3b][rng.below(6)]!], reg, off)); break; // ALU r, [rip]
      case 5: out.push(ripRel([rex(false), 0x0f, rng.below(2) ? 0xb6 : 0xb7], reg, off + rng.below(4))); break; // MOVZX r32, [rip]
      case 6: out.push(ripRel([rex(true), 0x8d], reg, off)); break; // LEA r64, [rip]
      case 7: out.push(fixed(reg >> 3 ? [0x41, 0x50 + (reg & 7)] : [0x50 + reg]), fixed([0x58 + rng.below(3)])); break; // PUSH r; POP rax/rcx/rdx
      case 8: out.push(fixed([rex(rng.below(2) === 0), [0x8b, 0x89, 0x03, 0x2b, 0x3b][rng.below(5)]!, 0x44 | ((reg & 7) << 3), 0x24, below])); break; // [rsp - n]
      case 9: { // [rsp + index - n]: the index register's random value mostly faults (#GP, #PF past RAM): the slow path
        const index = [0, 1, 2, 3, 5, 6, 7][rng.below(7)]!;
        out.push(fixed([rex(true), 0x8b, 0x44 | ((reg & 7) << 3), (index << 3) | 4, below]));
        break;
      }
      default: out.push(fixed([rex(true) | (reg >> 3), 0x8d, 0x04 | ((reg & 7) << 3), (rng.below(4) << 6) | (rng.below(8) << 3) | rng.below(8)])); // LEA r64, [b + i*s]
    }
  }
  return out;
}

interface Outcome {
  reason: string;
  instructions: number;
  rip: number;
  flags: number;
  regs: string;
  data: string;
  stack: string;
}

function runBlock(code: Uint8Array, regs: [number, number][], flags: number, data: Uint8Array, compiled: boolean): Outcome {
  const m = new TestMachine(8 << 20);
  const cpu = m.cpu;
  m.enterLongMode(CODE, STACK);
  cpu.compileBlocks = compiled;
  cpu.compileThreshold = 1;
  m.bus.writeBytes(CODE, code);
  m.bus.writeBytes(DATA, data);
  for (let i = 0; i < 16; i++) {
    cpu.lo[i] = regs[i]![0] | 0;
    cpu.hi[i] = regs[i]![1] | 0;
  }
  cpu.setRegNum(4, STACK);
  cpu.setFlags(flags & ~0x200);
  cpu.rip = CODE;
  const r = cpu.run(10_000);
  const hex = (lo: number, hi: number): string => (hi >>> 0).toString(16).padStart(8, '0') + (lo >>> 0).toString(16).padStart(8, '0');
  const regText = [...Array(16).keys()].map((i) => hex(cpu.lo[i]!, cpu.hi[i]!)).join(' ');
  return {
    reason: r.reason,
    instructions: r.instructions,
    rip: cpu.rip,
    flags: cpu.getFlags(),
    regs: regText,
    data: Buffer.from(m.bus.readBytes(DATA, 4096)).toString('hex'),
    stack: Buffer.from(m.bus.readBytes(STACK - 256, 256)).toString('hex'),
  };
}

describe('x86-64 compiled blocks give the interpreter\'s results', () => {
  it('600 random blocks of integer, memory, stack and LEA instructions: same registers, flags, RIP, count and memory', () => {
    const rng = new Rng(0x51ed);
    const cases = generateCases(3000, 0xb10c).filter((c) => !/^i?div-/.test(c.name));
    const pool: Snippet[] = cases.map((c) => fixed(c.code));
    const memoryShare = memorySnippets(rng);
    let compiledInsns = 0;
    let halted = 0;
    const mismatches: string[] = [];
    for (let b = 0; b < 600; b++) {
      const parts: number[] = [];
      const count = 2 + rng.below(14);
      for (let k = 0; k < count; k++) {
        const s = rng.below(3) === 0 ? memoryShare[rng.below(memoryShare.length)]! : pool[rng.below(pool.length)]!;
        parts.push(...s.bytes(CODE + parts.length));
      }
      parts.push(0xf4); // HLT
      const code = Uint8Array.from(parts);
      const regs = cases[rng.below(cases.length)]!.regs.map(([lo, hi]) => [lo, hi] as [number, number]);
      const flags = 0x202 | (rng.u32() & 0x8d5);
      const data = new Uint8Array(4096);
      for (let i = 0; i < data.length; i++) data[i] = rng.u32() & 0xff;
      const interp = runBlock(code, regs, flags, data, false);
      const comp = runBlock(code, regs, flags, data, true);
      compiledInsns += comp.instructions;
      if (comp.reason === 'halted') halted++;
      if (JSON.stringify(interp) !== JSON.stringify(comp)) {
        mismatches.push(`block ${b} [${Buffer.from(code).toString('hex')}]\n  interpreter ${JSON.stringify(interp)}\n  compiled    ${JSON.stringify(comp)}`);
      }
    }
    expect(mismatches.slice(0, 3).join('\n')).toBe('');
    expect(compiledInsns).toBeGreaterThan(600 * 5);
    // most blocks run to their HLT (the faulting ones check the slow address path and the fault exit)
    console.log(`compiled-block check: ${halted} of 600 blocks ran to HLT, ${compiledInsns} instructions`);
    expect(halted).toBeGreaterThan(300);
  });

  it('a fault inside a compiled block reports the faulting RIP, the flags of the instruction before it and the retired count', () => {
    // add rax, rbx ; xor ecx, ecx (flags overwritten later: dead) ; add rsi, rdi ; mov rdx, [rdx] (#GP:
    // non-canonical) ; sub rax, rax ; hlt. With no IDT the #GP escalates to a triple fault.
    const code = Uint8Array.from([0x48, 0x01, 0xd8, 0x31, 0xc9, 0x48, 0x01, 0xfe, 0x48, 0x8b, 0x12, 0x48, 0x29, 0xc0, 0xf4]);
    const regs: [number, number][] = Array.from({ length: 16 }, () => [0, 0]);
    regs[0] = [0xffffffff, 0xffffffff]; // rax = -1
    regs[3] = [1, 0]; // rbx = 1: the first ADD sets CF and ZF
    regs[6] = [0x7fffffff, 0]; // rsi
    regs[7] = [1, 0]; // rdi: rsi + rdi = 0x80000000, no carry, SF clear (64-bit), PF/AF from the low byte
    regs[2] = [0, 0x80000000]; // rdx: non-canonical
    const interp = runBlock(code, regs, 0x202, new Uint8Array(4096), false);
    const comp = runBlock(code, regs, 0x202, new Uint8Array(4096), true);
    expect(comp).toEqual(interp);
    expect(comp.reason).toBe('triple-fault');
    expect(comp.rip).toBe(CODE + 8); // the MOV
    expect(comp.instructions).toBe(3);
    // flags of `add rsi, rdi`: 0x7fffffff + 1 = 0x80000000 -> CF 0, PF 1 (low byte 0), AF 1, ZF 0, SF 0, OF 0
    expect(comp.flags & 0x8d5).toBe(0x14);
    expect(comp.regs.split(' ')[0]).toBe('0000000000000000'); // rax = -1 + 1
  });

  it('a block that ends on a page boundary continues on the next page with the right RIP and count', () => {
    // 0x2ffe bytes of NOP-like `mov eax, eax` (2 bytes each) fill up to just before a page boundary at
    // CODE + 0x3000; the loop below runs until RCX reaches 0, so every block is compiled and chained
    const code: number[] = [];
    const start = 0x3000 - 10;
    for (let i = 0; i < start; i += 2) code.push(0x89, 0xc0);
    // at CODE + start: add rax, 3 ; (page boundary inside the next instructions) sub rcx, 1 ; jnz back ; hlt
    code.push(0x48, 0x83, 0xc0, 0x03); // 4 bytes
    code.push(0x48, 0x83, 0xe9, 0x01); // 4 bytes
    code.push(0x89, 0xdb); // mov ebx, ebx: the last 2 bytes before the boundary
    code.push(0x75, 0x100 - 12); // jnz to the ADD (rel8 = -(10 + 2))
    code.push(0xf4);
    const regs: [number, number][] = Array.from({ length: 16 }, () => [0, 0]);
    regs[1] = [100, 0];
    const interp = runBlock(Uint8Array.from(code), regs, 0x202, new Uint8Array(4096), false);
    const comp = runBlock(Uint8Array.from(code), regs, 0x202, new Uint8Array(4096), true);
    expect(comp).toEqual(interp);
    expect(comp.reason).toBe('halted');
    expect(comp.regs.split(' ')[0]).toBe((300).toString(16).padStart(16, '0'));
    expect(comp.instructions).toBe(start / 2 + 4 * 100 + 1);
  });
});
