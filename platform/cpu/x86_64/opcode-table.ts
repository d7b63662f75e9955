/**
 * The x86 opcode maps as data (Intel SDM vol. 2, appendix A notation).
 *
 * Every row is `key: 'MNEMONIC op1,op2[,op3] [flags]'`. Keys:
 *   'XX'          one-byte map            '0F XX'        two-byte map
 *   'XX/r'        group: ModRM.reg selects the row ('F7/3')
 *   'XX/r/mem', 'XX/r/reg'  a group row that exists only for memory or register ModRM forms
 *   'XX/mem', 'XX/reg'      rows for the memory / register ModRM forms whatever ModRM.reg is
 *   '0F 01 D0'    a row selected by the whole ModRM byte (register forms of 0F 01)
 *   '0F 38 XX', '0F 3A XX'  three-byte maps (most of them are SSSE3+ and absent: #UD)
 *   '66 0F XX', 'F3 0F XX', 'F2 0F XX'   mandatory-prefix variants (SSE, POPCNT, TZCNT, ...)
 * Operands: E/G (ModRM rm/reg), M (memory only), R (register only), I (immediate), J (relative), Z (register
 * in the opcode's low bits), O (moffs), S (segment register), C/D (control/debug register), V/W/U (xmm reg,
 * xmm-or-memory, xmm register only), AL/rAX/CL/DX/1 fixed operands, Ap/Mp far pointers. Size letters: b
 * byte, w word, d dword, q qword, v operand size, z word-or-dword (sign-extended in 64-bit), y dword-or-qword,
 * x 128-bit; Ibs is a sign-extended byte immediate, Iv a full 64-bit immediate (MOV r64, imm64).
 * Flags: d64 (64-bit default operand size in long mode), f64 (always 64-bit in long mode), i64 (invalid in
 * long mode), o64 (only in long mode), end (ends a decoded block: control transfer or state change), ua (a
 * 128-bit memory operand that may be misaligned: MOVUPS/MOVUPD/MOVDQU; every other legacy-SSE m128 operand
 * must be 16-byte aligned, else #GP(0).
 *
 * The decoder (decoder.ts) is generated from this table; instruction semantics live in exec-*.ts, keyed by
 * mnemonic. A mnemonic in this table with no handler decodes, and executing it ends the run with a verdict.
 */

export type OpcodeTable = Readonly<Record<string, string>>;

const ALU = ['ADD', 'OR', 'ADC', 'SBB', 'AND', 'SUB', 'XOR', 'CMP'];
const SHIFT = ['ROL', 'ROR', 'RCL', 'RCR', 'SHL', 'SHR', 'SAL', 'SAR'];
const CC = ['O', 'NO', 'B', 'AE', 'E', 'NE', 'BE', 'A', 'S', 'NS', 'P', 'NP', 'L', 'GE', 'LE', 'G'];

const hex = (n: number): string => n.toString(16).toUpperCase().padStart(2, '0');

function buildTable(): Record<string, string> {
  const t: Record<string, string> = {};
  ALU.forEach((m, i) => {
    const b = i * 8;
    t[hex(b)] = `${m} Eb,Gb`;
    t[hex(b + 1)] = `${m} Ev,Gv`;
    t[hex(b + 2)] = `${m} Gb,Eb`;
    t[hex(b + 3)] = `${m} Gv,Ev`;
    t[hex(b + 4)] = `${m} AL,Ib`;
    t[hex(b + 5)] = `${m} rAX,Iz`;
    t[`80/${i}`] = `${m} Eb,Ib`;
    t[`81/${i}`] = `${m} Ev,Iz`;
    t[`82/${i}`] = `${m} Eb,Ib i64`;
    t[`83/${i}`] = `${m} Ev,Ibs`;
  });
  Object.assign(t, {
    '06': 'PUSHSEG ES i64', '07': 'POPSEG ES i64 end', '0E': 'PUSHSEG CS i64', '16': 'PUSHSEG SS i64',
    '17': 'POPSEG SS i64 end', '1E': 'PUSHSEG DS i64', '1F': 'POPSEG DS i64 end',
    '27': 'DAA i64', '2F': 'DAS i64', '37': 'AAA i64', '3F': 'AAS i64',
    '60': 'PUSHA i64', '61': 'POPA i64', '62': 'BOUND Gv,M i64', '63': 'MOVSXD Gv,Ed',
    '68': 'PUSH Iz d64', '69': 'IMUL3 Gv,Ev,Iz', '6A': 'PUSH Ibs d64', '6B': 'IMUL3 Gv,Ev,Ibs',
    '6C': 'INS b', '6D': 'INS v', '6E': 'OUTS b', '6F': 'OUTS v',
    '84': 'TEST Eb,Gb', '85': 'TEST Ev,Gv', '86': 'XCHG Eb,Gb', '87': 'XCHG Ev,Gv',
    '88': 'MOV Eb,Gb', '89': 'MOV Ev,Gv', '8A': 'MOV Gb,Eb', '8B': 'MOV Gv,Ev',
    '8C': 'MOVFROMSEG Ev,Sw', '8D': 'LEA Gv,M', '8E': 'MOVTOSEG Sw,Ew end', '8F/0': 'POP Ev d64',
    '90': 'NOP', '98': 'CBW', '99': 'CWD', '9A': 'CALLF Ap i64 end', '9B': 'FWAIT',
    '9C': 'PUSHF d64', '9D': 'POPF d64 end', '9E': 'SAHF', '9F': 'LAHF',
    'A0': 'MOV AL,Ob', 'A1': 'MOV rAX,Ov', 'A2': 'MOV Ob,AL', 'A3': 'MOV Ov,rAX',
    'A4': 'MOVS b', 'A5': 'MOVS v', 'A6': 'CMPS b', 'A7': 'CMPS v', 'A8': 'TEST AL,Ib', 'A9': 'TEST rAX,Iz',
    'AA': 'STOS b', 'AB': 'STOS v', 'AC': 'LODS b', 'AD': 'LODS v', 'AE': 'SCAS b', 'AF': 'SCAS v',
    'C2': 'RET Iw d64 end', 'C3': 'RET d64 end', 'C4': 'LES Gz,Mp i64', 'C5': 'LDS Gz,Mp i64',
    'C6/0': 'MOV Eb,Ib', 'C7/0': 'MOV Ev,Iz', 'C8': 'ENTER Iw,Ib d64', 'C9': 'LEAVE d64',
    'CA': 'RETF Iw end', 'CB': 'RETF end', 'CC': 'INT3 end', 'CD': 'INT Ib end', 'CE': 'INTO i64 end',
    'CF': 'IRET end',
    'D4': 'AAM Ib i64', 'D5': 'AAD Ib i64', 'D7': 'XLAT',
    'E0': 'LOOPNE Jb end', 'E1': 'LOOPE Jb end', 'E2': 'LOOP Jb end', 'E3': 'JCXZ Jb end',
    'E4': 'IN AL,Ib', 'E5': 'IN rAX,Ib', 'E6': 'OUT Ib,AL', 'E7': 'OUT Ib,rAX',
    'E8': 'CALL Jz d64 end', 'E9': 'JMP Jz d64 end', 'EA': 'JMPF Ap i64 end', 'EB': 'JMP Jb d64 end',
    'EC': 'IN AL,DX', 'ED': 'IN rAX,DX', 'EE': 'OUT DX,AL', 'EF': 'OUT DX,rAX',
    // x87: only the control/status instructions initialisation code uses; the rest decodes to an
    // "unimplemented" verdict
    'D8/mem': 'X87 Ev', 'D8/reg': 'X87 Ev', 'D9/mem': 'X87 Ev', 'D9/reg': 'X87 Ev', 'DA/mem': 'X87 Ev',
    'DA/reg': 'X87 Ev', 'DB/mem': 'X87 Ev', 'DB/reg': 'X87 Ev', 'DC/mem': 'X87 Ev', 'DC/reg': 'X87 Ev',
    'DD/mem': 'X87 Ev', 'DD/reg': 'X87 Ev', 'DE/mem': 'X87 Ev', 'DE/reg': 'X87 Ev', 'DF/mem': 'X87 Ev',
    'DF/reg': 'X87 Ev',
    'D9/5/mem': 'FLDCW Mw', 'D9/7/mem': 'FNSTCW Mw', 'DD/7/mem': 'FNSTSW Mw', 'DF E0': 'FNSTSWAX',
    'DB E2': 'FNCLEX', 'DB E3': 'FNINIT',
    'F1': 'INT1 end', 'F4': 'HLT end', 'F5': 'CMC',
    'F6/0': 'TEST Eb,Ib', 'F6/1': 'TEST Eb,Ib', 'F6/2': 'NOT Eb', 'F6/3': 'NEG Eb', 'F6/4': 'MUL Eb',
    'F6/5': 'IMUL1 Eb', 'F6/6': 'DIV Eb', 'F6/7': 'IDIV Eb',
    'F7/0': 'TEST Ev,Iz', 'F7/1': 'TEST Ev,Iz', 'F7/2': 'NOT Ev', 'F7/3': 'NEG Ev', 'F7/4': 'MUL Ev',
    'F7/5': 'IMUL1 Ev', 'F7/6': 'DIV Ev', 'F7/7': 'IDIV Ev',
    'F8': 'CLC', 'F9': 'STC', 'FA': 'CLI', 'FB': 'STI end', 'FC': 'CLD', 'FD': 'STD',
    'FE/0': 'INC Eb', 'FE/1': 'DEC Eb',
    'FF/0': 'INC Ev', 'FF/1': 'DEC Ev', 'FF/2': 'CALLN Ev f64 end', 'FF/3/mem': 'CALLF Mp end',
    'FF/4': 'JMPN Ev f64 end', 'FF/5/mem': 'JMPF Mp end', 'FF/6': 'PUSH Ev d64',
    // two-byte map: system
    '0F 00/0': 'SLDT Ew', '0F 00/1': 'STR Ew', '0F 00/2': 'LLDT Ew end', '0F 00/3': 'LTR Ew end',
    '0F 00/4': 'VERR Ew', '0F 00/5': 'VERW Ew',
    '0F 01/0/mem': 'SGDT M', '0F 01/1/mem': 'SIDT M', '0F 01/2/mem': 'LGDT M end', '0F 01/3/mem': 'LIDT M end',
    '0F 01/4': 'SMSW Ew', '0F 01/6': 'LMSW Ew end', '0F 01/7/mem': 'INVLPG M end',
    '0F 01 C8': 'MONITOR', '0F 01 C9': 'MWAIT end', '0F 01 CA': 'CLAC', '0F 01 CB': 'STAC',
    '0F 01 D0': 'XGETBV', '0F 01 D1': 'XSETBV end', '0F 01 F8': 'SWAPGS o64', '0F 01 F9': 'RDTSCP',
    '0F 05': 'SYSCALL end', '0F 06': 'CLTS', '0F 07': 'SYSRET end', '0F 08': 'INVD', '0F 09': 'WBINVD',
    '0F 0B': 'UD2 end', '0F 0D': 'NOPM Ev',
    '0F 18': 'NOPM Ev', '0F 19': 'NOPM Ev', '0F 1A': 'NOPM Ev', '0F 1B': 'NOPM Ev', '0F 1C': 'NOPM Ev',
    '0F 1D': 'NOPM Ev', '0F 1E': 'NOPM Ev', '0F 1F': 'NOPM Ev',
    '0F 20': 'MOVFROMCR Ry,Cd f64', '0F 21': 'MOVFROMDR Ry,Dd f64', '0F 22': 'MOVTOCR Cd,Ry f64 end',
    '0F 23': 'MOVTODR Dd,Ry f64',
    '0F 30': 'WRMSR end', '0F 31': 'RDTSC', '0F 32': 'RDMSR', '0F 33': 'RDPMC', '0F 34': 'SYSENTER end',
    '0F 35': 'SYSEXIT end',
    '0F A0': 'PUSHSEG FS d64', '0F A1': 'POPSEG FS d64', '0F A2': 'CPUID', '0F A3': 'BT Ev,Gv',
    '0F A4': 'SHLD Ev,Gv,Ib', '0F A5': 'SHLD Ev,Gv,CL', '0F A8': 'PUSHSEG GS d64', '0F A9': 'POPSEG GS d64',
    '0F AB': 'BTS Ev,Gv', '0F AC': 'SHRD Ev,Gv,Ib', '0F AD': 'SHRD Ev,Gv,CL', '0F AF': 'IMUL2 Gv,Ev',
    '0F AE/0/mem': 'FXSAVE M', '0F AE/1/mem': 'FXRSTOR M', '0F AE/2/mem': 'LDMXCSR Md', '0F AE/3/mem': 'STMXCSR Md',
    '0F AE/4/mem': 'XSAVE M', '0F AE/5/mem': 'XRSTOR M', '0F AE/6/mem': 'XSAVEOPT M', '0F AE/7/mem': 'CLFLUSH M',
    '0F AE/5/reg': 'FENCE', '0F AE/6/reg': 'FENCE', '0F AE/7/reg': 'FENCE',
    'F3 0F AE/0/reg': 'RDFSBASE Ry', 'F3 0F AE/1/reg': 'RDGSBASE Ry',
    'F3 0F AE/2/reg': 'WRFSBASE Ry', 'F3 0F AE/3/reg': 'WRGSBASE Ry',
    '0F B0': 'CMPXCHG Eb,Gb', '0F B1': 'CMPXCHG Ev,Gv', '0F B2': 'LSS Gv,Mp', '0F B3': 'BTR Ev,Gv',
    '0F B4': 'LFS Gv,Mp', '0F B5': 'LGS Gv,Mp', '0F B6': 'MOVZX Gv,Eb', '0F B7': 'MOVZX Gv,Ew',
    'F3 0F B8': 'POPCNT Gv,Ev', '0F B9': 'UD1 Gv,Ev end',
    '0F BA/4': 'BT Ev,Ib', '0F BA/5': 'BTS Ev,Ib', '0F BA/6': 'BTR Ev,Ib', '0F BA/7': 'BTC Ev,Ib',
    '0F BB': 'BTC Ev,Gv', '0F BC': 'BSF Gv,Ev', 'F3 0F BC': 'TZCNT Gv,Ev', '0F BD': 'BSR Gv,Ev',
    'F3 0F BD': 'LZCNT Gv,Ev', '0F BE': 'MOVSX Gv,Eb', '0F BF': 'MOVSX Gv,Ew',
    '0F C0': 'XADD Eb,Gb', '0F C1': 'XADD Ev,Gv', '0F C3': 'MOV My,Gy',
    '0F C7/1/mem': 'CMPXCHG8B M', '66 0F 38 82/mem': 'INVPCID Gq,M end', '0F C7/6/reg': 'RDRAND Rv', '0F C7/7/reg': 'RDSEED Rv',
    // SSE/SSE2 moves and integer operations
    '0F 10': 'MOVUPS Vx,Wx ua', '66 0F 10': 'MOVUPS Vx,Wx ua', 'F3 0F 10': 'MOVSS Vx,Wd', 'F2 0F 10': 'MOVSD Vx,Wq',
    '0F 11': 'MOVUPS Wx,Vx ua', '66 0F 11': 'MOVUPS Wx,Vx ua', 'F3 0F 11': 'MOVSS Wd,Vx', 'F2 0F 11': 'MOVSD Wq,Vx',
    '0F 12/mem': 'MOVLPS Vx,Mq', '0F 12/reg': 'MOVHLPS Vx,Ux', '66 0F 12': 'MOVLPS Vx,Mq', '0F 13': 'MOVLPS Mq,Vx', '66 0F 13': 'MOVLPS Mq,Vx',
    '0F 14': 'UNPCKLPS Vx,Wx', '66 0F 14': 'PUNPCKLQDQ Vx,Wx', '0F 15': 'UNPCKHPS Vx,Wx',
    '66 0F 15': 'PUNPCKHQDQ Vx,Wx',
    '0F 16/mem': 'MOVHPS Vx,Mq', '0F 16/reg': 'MOVLHPS Vx,Ux', '66 0F 16': 'MOVHPS Vx,Mq', '0F 17': 'MOVHPS Mq,Vx', '66 0F 17': 'MOVHPS Mq,Vx',
    '0F 28': 'MOVUPS Vx,Wx', '66 0F 28': 'MOVUPS Vx,Wx', '0F 29': 'MOVUPS Wx,Vx', '66 0F 29': 'MOVUPS Wx,Vx',
    '0F 2B': 'MOVUPS Mx,Vx', '66 0F 2B': 'MOVUPS Mx,Vx',
    '0F 50': 'MOVMSKPS Gd,Ux', '66 0F 50': 'MOVMSKPD Gd,Ux',
    '0F 54': 'PAND Vx,Wx', '66 0F 54': 'PAND Vx,Wx', '0F 55': 'PANDN Vx,Wx', '66 0F 55': 'PANDN Vx,Wx',
    '0F 56': 'POR Vx,Wx', '66 0F 56': 'POR Vx,Wx', '0F 57': 'PXOR Vx,Wx', '66 0F 57': 'PXOR Vx,Wx',
    '66 0F 60': 'PUNPCKLBW Vx,Wx', '66 0F 61': 'PUNPCKLWD Vx,Wx', '66 0F 62': 'PUNPCKLDQ Vx,Wx',
    '66 0F 63': 'PACKSSWB Vx,Wx', '66 0F 64': 'PCMPGTB Vx,Wx', '66 0F 65': 'PCMPGTW Vx,Wx',
    '66 0F 66': 'PCMPGTD Vx,Wx', '66 0F 67': 'PACKUSWB Vx,Wx', '66 0F 68': 'PUNPCKHBW Vx,Wx',
    '66 0F 69': 'PUNPCKHWD Vx,Wx', '66 0F 6A': 'PUNPCKHDQ Vx,Wx', '66 0F 6B': 'PACKSSDW Vx,Wx',
    '66 0F 6C': 'PUNPCKLQDQ Vx,Wx', '66 0F 6D': 'PUNPCKHQDQ Vx,Wx', '66 0F 6E': 'MOVDTOX Vx,Ey',
    '66 0F 6F': 'MOVUPS Vx,Wx', 'F3 0F 6F': 'MOVUPS Vx,Wx ua',
    '66 0F 70': 'PSHUFD Vx,Wx,Ib', 'F3 0F 70': 'PSHUFHW Vx,Wx,Ib', 'F2 0F 70': 'PSHUFLW Vx,Wx,Ib',
    '66 0F 71/2/reg': 'PSRLW Ux,Ib', '66 0F 71/4/reg': 'PSRAW Ux,Ib', '66 0F 71/6/reg': 'PSLLW Ux,Ib',
    '66 0F 72/2/reg': 'PSRLD Ux,Ib', '66 0F 72/4/reg': 'PSRAD Ux,Ib', '66 0F 72/6/reg': 'PSLLD Ux,Ib',
    '66 0F 73/2/reg': 'PSRLQ Ux,Ib', '66 0F 73/3/reg': 'PSRLDQ Ux,Ib', '66 0F 73/6/reg': 'PSLLQ Ux,Ib',
    '66 0F 73/7/reg': 'PSLLDQ Ux,Ib',
    '66 0F 74': 'PCMPEQB Vx,Wx', '66 0F 75': 'PCMPEQW Vx,Wx', '66 0F 76': 'PCMPEQD Vx,Wx', '0F 77': 'EMMS',
    '66 0F 7E': 'MOVDFROMX Ey,Vx', 'F3 0F 7E': 'MOVQTOX Vx,Wq', '66 0F 7F': 'MOVUPS Wx,Vx',
    'F3 0F 7F': 'MOVUPS Wx,Vx ua',
    '66 0F C4': 'PINSRW Vx,Ew,Ib', '66 0F C5': 'PEXTRW Gd,Ux,Ib',
    '0F C6': 'SHUFPS Vx,Wx,Ib', '66 0F C6': 'SHUFPD Vx,Wx,Ib',
    '66 0F D1': 'PSRLW Vx,Wx', '66 0F D2': 'PSRLD Vx,Wx', '66 0F D3': 'PSRLQ Vx,Wx', '66 0F D4': 'PADDQ Vx,Wx',
    '66 0F D5': 'PMULLW Vx,Wx', '66 0F D6': 'MOVQFROMX Wq,Vx', '66 0F D7': 'PMOVMSKB Gd,Ux',
    '66 0F D8': 'PSUBUSB Vx,Wx', '66 0F D9': 'PSUBUSW Vx,Wx', '66 0F DA': 'PMINUB Vx,Wx', '66 0F DB': 'PAND Vx,Wx',
    '66 0F DC': 'PADDUSB Vx,Wx', '66 0F DD': 'PADDUSW Vx,Wx', '66 0F DE': 'PMAXUB Vx,Wx',
    '66 0F DF': 'PANDN Vx,Wx', '66 0F E0': 'PAVGB Vx,Wx', '66 0F E1': 'PSRAW Vx,Wx', '66 0F E2': 'PSRAD Vx,Wx',
    '66 0F E3': 'PAVGW Vx,Wx', '66 0F E7': 'MOVUPS Mx,Vx', '66 0F E8': 'PSUBSB Vx,Wx', '66 0F E9': 'PSUBSW Vx,Wx',
    '66 0F EA': 'PMINSW Vx,Wx', '66 0F EB': 'POR Vx,Wx', '66 0F EC': 'PADDSB Vx,Wx', '66 0F ED': 'PADDSW Vx,Wx',
    '66 0F EE': 'PMAXSW Vx,Wx', '66 0F EF': 'PXOR Vx,Wx', '66 0F F1': 'PSLLW Vx,Wx', '66 0F F2': 'PSLLD Vx,Wx',
    '66 0F F3': 'PSLLQ Vx,Wx', '66 0F F4': 'PMULUDQ Vx,Wx', '66 0F F6': 'PSADBW Vx,Wx', '66 0F F8': 'PSUBB Vx,Wx',
    '66 0F F9': 'PSUBW Vx,Wx', '66 0F FA': 'PSUBD Vx,Wx', '66 0F FB': 'PSUBQ Vx,Wx', '66 0F FC': 'PADDB Vx,Wx',
    '66 0F FD': 'PADDW Vx,Wx', '66 0F FE': 'PADDD Vx,Wx',
  });
  for (let r = 0; r < 8; r++) {
    t[hex(0x40 + r)] = 'INC Zv i64';
    t[hex(0x48 + r)] = 'DEC Zv i64';
    t[hex(0x50 + r)] = 'PUSH Zv d64';
    t[hex(0x58 + r)] = 'POP Zv d64';
    if (r) t[hex(0x90 + r)] = 'XCHG Zv,rAX';
    t[hex(0xb0 + r)] = 'MOV Zb,Ib';
    t[hex(0xb8 + r)] = 'MOV Zv,Iv';
    t[`0F ${hex(0xc8 + r)}`] = 'BSWAP Zy';
    t[`C0/${r}`] = `${SHIFT[r]} Eb,Ib`;
    t[`C1/${r}`] = `${SHIFT[r]} Ev,Ib`;
    t[`D0/${r}`] = `${SHIFT[r]} Eb,1`;
    t[`D1/${r}`] = `${SHIFT[r]} Ev,1`;
    t[`D2/${r}`] = `${SHIFT[r]} Eb,CL`;
    t[`D3/${r}`] = `${SHIFT[r]} Ev,CL`;
  }
  // SSE/SSE2 floating point (exec-ssefp.ts). RCP/RSQRT (approximations) and the MMX conversions decode to
  // an "unimplemented" verdict.
  const fp: [number, string][] = [[0x58, 'ADD'], [0x59, 'MUL'], [0x5c, 'SUB'], [0x5d, 'MIN'], [0x5e, 'DIV'], [0x5f, 'MAX'], [0x51, 'SQRT']];
  for (const [op, m] of fp) {
    t[`0F ${hex(op)}`] = `${m}PS Vx,Wx`;
    t[`66 0F ${hex(op)}`] = `${m}PD Vx,Wx`;
    t[`F3 0F ${hex(op)}`] = `${m}SS Vx,Wd`;
    t[`F2 0F ${hex(op)}`] = `${m}SD Vx,Wq`;
  }
  Object.assign(t, {
    '0F C2': 'CMPPS Vx,Wx,Ib', '66 0F C2': 'CMPPD Vx,Wx,Ib', 'F3 0F C2': 'CMPSS Vx,Wd,Ib', 'F2 0F C2': 'CMPSD Vx,Wq,Ib',
    '0F 2E': 'UCOMISS Vx,Wd', '66 0F 2E': 'UCOMISD Vx,Wq', '0F 2F': 'COMISS Vx,Wd', '66 0F 2F': 'COMISD Vx,Wq',
    'F3 0F 2E': 'SSEUD', 'F2 0F 2E': 'SSEUD', 'F3 0F 2F': 'SSEUD', 'F2 0F 2F': 'SSEUD',
    '0F 2A': 'SSEFP Vx,Wq', '66 0F 2A': 'SSEFP Vx,Wq', 'F3 0F 2A': 'CVTSI2SS Vx,Ey', 'F2 0F 2A': 'CVTSI2SD Vx,Ey',
    '0F 2C': 'SSEFP Vx,Wq', '66 0F 2C': 'SSEFP Vx,Wx', 'F3 0F 2C': 'CVTTSS2SI Gy,Wd', 'F2 0F 2C': 'CVTTSD2SI Gy,Wq',
    '0F 2D': 'SSEFP Vx,Wq', '66 0F 2D': 'SSEFP Vx,Wx', 'F3 0F 2D': 'CVTSS2SI Gy,Wd', 'F2 0F 2D': 'CVTSD2SI Gy,Wq',
    '0F 5A': 'CVTPS2PD Vx,Wq', '66 0F 5A': 'CVTPD2PS Vx,Wx', 'F3 0F 5A': 'CVTSS2SD Vx,Wd', 'F2 0F 5A': 'CVTSD2SS Vx,Wq',
    '0F 5B': 'CVTDQ2PS Vx,Wx', '66 0F 5B': 'CVTPS2DQ Vx,Wx', 'F3 0F 5B': 'CVTTPS2DQ Vx,Wx', 'F2 0F 5B': 'SSEUD',
    '66 0F E6': 'CVTTPD2DQ Vx,Wx', 'F3 0F E6': 'CVTDQ2PD Vx,Wq', 'F2 0F E6': 'CVTPD2DQ Vx,Wx',
  });
  for (const op of [0x52, 0x53]) for (const p of ['', 'F3 ']) t[`${p}0F ${hex(op)}`] = 'SSEFP Vx,Wx';
  CC.forEach((c, i) => {
    t[hex(0x70 + i)] = `J${c} Jb end`;
    t[`0F ${hex(0x80 + i)}`] = `J${c} Jz end`;
    t[`0F ${hex(0x40 + i)}`] = `CMOV${c} Gv,Ev`;
    t[`0F ${hex(0x90 + i)}`] = `SET${c} Eb`;
  });
  return t;
}

export const OPCODE_TABLE: OpcodeTable = buildTable();

/** Condition-code suffixes in encoding order (the low nibble of Jcc/SETcc/CMOVcc). */
export const CONDITION_NAMES: readonly string[] = CC;
export const ALU_NAMES: readonly string[] = ALU;
export const SHIFT_NAMES: readonly string[] = SHIFT;
