/** ELF32/ELF64 reader and NOVA root-task checks. */
export { readElf } from './reader.js';
export { checkRootTask } from './root-task.js';
export { ElfError, RootTaskError } from './errors.js';
export * from './constants.js';
export * from './structs.js';
export type { ElfFile, ElfHeader, ElfNote, ElfProgramHeader, ElfSection, ElfSymbol } from './types.js';
