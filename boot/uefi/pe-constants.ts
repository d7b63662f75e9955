/** PE/COFF constants (Microsoft PE/COFF specification) used by the codec, the mono-image and `inspect`. */

export const IMAGE_DOS_SIGNATURE = 0x5a4d; // "MZ"
export const IMAGE_NT_SIGNATURE = 0x00004550; // "PE\0\0"
export const PE32_MAGIC = 0x10b;
export const PE32PLUS_MAGIC = 0x20b;
export const IMAGE_NUMBEROF_DIRECTORY_ENTRIES = 16;

export const IMAGE_FILE_MACHINE_I386 = 0x14c;
export const IMAGE_FILE_MACHINE_AMD64 = 0x8664;
export const IMAGE_FILE_MACHINE_ARM64 = 0xaa64;
export const IMAGE_FILE_MACHINE_ARMNT = 0x1c4;
export const IMAGE_FILE_MACHINE_RISCV64 = 0x5064;
export const IMAGE_FILE_MACHINE_LOONGARCH64 = 0x6264;

/** Short names the interface document uses. */
export const AMD64 = IMAGE_FILE_MACHINE_AMD64;
export const ARM64 = IMAGE_FILE_MACHINE_ARM64;

export const MACHINE_NAMES: Readonly<Record<number, string>> = {
  [IMAGE_FILE_MACHINE_I386]: 'i386',
  [IMAGE_FILE_MACHINE_AMD64]: 'x86-64 (AMD64)',
  [IMAGE_FILE_MACHINE_ARM64]: 'AArch64 (ARM64)',
  [IMAGE_FILE_MACHINE_ARMNT]: 'ARM Thumb-2',
  [IMAGE_FILE_MACHINE_RISCV64]: 'RISC-V 64',
  [IMAGE_FILE_MACHINE_LOONGARCH64]: 'LoongArch64',
};

// COFF characteristics.
export const IMAGE_FILE_RELOCS_STRIPPED = 0x0001;
export const IMAGE_FILE_EXECUTABLE_IMAGE = 0x0002;
export const IMAGE_FILE_LINE_NUMS_STRIPPED = 0x0004;
export const IMAGE_FILE_LOCAL_SYMS_STRIPPED = 0x0008;
export const IMAGE_FILE_LARGE_ADDRESS_AWARE = 0x0020;
export const IMAGE_FILE_32BIT_MACHINE = 0x0100;
export const IMAGE_FILE_DEBUG_STRIPPED = 0x0200;
export const IMAGE_FILE_DLL = 0x2000;

export const SUBSYSTEM_EFI_APPLICATION = 10;
export const SUBSYSTEM_EFI_BOOT_SERVICE_DRIVER = 11;
export const SUBSYSTEM_EFI_RUNTIME_DRIVER = 12;
export const SUBSYSTEM_EFI_ROM = 13;

export const SUBSYSTEM_NAMES: Readonly<Record<number, string>> = {
  1: 'native',
  2: 'Windows GUI',
  3: 'Windows CUI',
  [SUBSYSTEM_EFI_APPLICATION]: 'EFI application',
  [SUBSYSTEM_EFI_BOOT_SERVICE_DRIVER]: 'EFI boot service driver',
  [SUBSYSTEM_EFI_RUNTIME_DRIVER]: 'EFI runtime driver',
  [SUBSYSTEM_EFI_ROM]: 'EFI ROM',
};

// DllCharacteristics.
export const DLLCHAR_HIGH_ENTROPY_VA = 0x0020;
export const DLLCHAR_DYNAMIC_BASE = 0x0040;
export const DLLCHAR_FORCE_INTEGRITY = 0x0080;
export const DLLCHAR_NX_COMPAT = 0x0100;

// Section characteristics.
export const SCN_CNT_CODE = 0x00000020;
export const SCN_CNT_INITIALIZED_DATA = 0x00000040;
export const SCN_CNT_UNINITIALIZED_DATA = 0x00000080;
export const SCN_MEM_DISCARDABLE = 0x02000000;
export const SCN_MEM_EXECUTE = 0x20000000;
export const SCN_MEM_READ = 0x40000000;
export const SCN_MEM_WRITE = 0x80000000;

/** Data directory indices. */
export const DIR_EXPORT = 0;
export const DIR_IMPORT = 1;
export const DIR_RESOURCE = 2;
export const DIR_EXCEPTION = 3;
export const DIR_SECURITY = 4;
export const DIR_BASERELOC = 5;
export const DIR_DEBUG = 6;

export const DATA_DIRECTORY_NAMES = [
  'Export',
  'Import',
  'Resource',
  'Exception',
  'Certificate',
  'Base Relocation',
  'Debug',
  'Architecture',
  'Global Pointer',
  'TLS',
  'Load Config',
  'Bound Import',
  'IAT',
  'Delay Import',
  'CLR Runtime',
  'Reserved',
] as const;

/** Base relocation types (high 4 bits of each entry). */
export const IMAGE_REL_BASED_ABSOLUTE = 0;
export const IMAGE_REL_BASED_HIGHLOW = 3;
export const IMAGE_REL_BASED_DIR64 = 10;
