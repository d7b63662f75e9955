/**
 * UEFI variables kept in memory (UEFI 2.10, 8.2): GetVariable, GetNextVariableName, SetVariable,
 * QueryVariableInfo semantics, including the rule that after ExitBootServices only variables with
 * EFI_VARIABLE_RUNTIME_ACCESS are visible and writable.
 */
export const EFI_VARIABLE_NON_VOLATILE = 0x1;
export const EFI_VARIABLE_BOOTSERVICE_ACCESS = 0x2;
export const EFI_VARIABLE_RUNTIME_ACCESS = 0x4;
export const EFI_VARIABLE_HARDWARE_ERROR_RECORD = 0x8;
export const EFI_VARIABLE_AUTHENTICATED_WRITE_ACCESS = 0x10;
export const EFI_VARIABLE_TIME_BASED_AUTHENTICATED_WRITE_ACCESS = 0x20;
export const EFI_VARIABLE_APPEND_WRITE = 0x40;
/** Storage the store pretends to have (OVMF's default variable store is 0x40000 bytes). */
export const VARIABLE_STORE_SIZE = 0x40000;
export const MAX_VARIABLE_SIZE = 0x8400;

export interface Variable {
  name: string;
  guid: string;
  attributes: number;
  data: Uint8Array;
}

export type SetResult = 'ok' | 'invalid' | 'not-found' | 'unsupported' | 'out-of-resources' | 'write-protected';

export class VariableStore {
  /** Insertion order is the enumeration order of GetNextVariableName. */
  private readonly vars = new Map<string, Variable>();

  constructor(initial: readonly Variable[] = []) {
    for (const v of initial) this.vars.set(key(v.name, v.guid), { ...v, data: v.data.slice() });
  }

  private visible(v: Variable, exited: boolean): boolean {
    return !exited || (v.attributes & EFI_VARIABLE_RUNTIME_ACCESS) !== 0;
  }

  get(name: string, guid: string, exited: boolean): Variable | undefined {
    const v = this.vars.get(key(name, guid));
    return v && this.visible(v, exited) ? v : undefined;
  }

  /** The variable after (name, guid); name '' starts the enumeration. 'invalid' when (name, guid) is unknown. */
  next(name: string, guid: string, exited: boolean): Variable | undefined | 'invalid' {
    const list = [...this.vars.values()].filter((v) => this.visible(v, exited));
    if (name === '') return list[0];
    const i = list.findIndex((v) => v.name === name && v.guid === guid);
    if (i < 0) return 'invalid';
    return list[i + 1];
  }

  set(name: string, guid: string, attributes: number, data: Uint8Array, exited: boolean): SetResult {
    const k = key(name, guid);
    const existing = this.vars.get(k);
    if (name === '') return 'invalid';
    if ((attributes & EFI_VARIABLE_RUNTIME_ACCESS) && !(attributes & EFI_VARIABLE_BOOTSERVICE_ACCESS)) return 'invalid';
    if (attributes & (EFI_VARIABLE_AUTHENTICATED_WRITE_ACCESS | EFI_VARIABLE_TIME_BASED_AUTHENTICATED_WRITE_ACCESS)) return 'unsupported';
    if (exited && attributes !== 0 && !(attributes & EFI_VARIABLE_RUNTIME_ACCESS)) return 'invalid';
    if (exited && existing && !(existing.attributes & EFI_VARIABLE_RUNTIME_ACCESS)) return 'invalid';
    const append = (attributes & EFI_VARIABLE_APPEND_WRITE) !== 0;
    const attrs = attributes & ~EFI_VARIABLE_APPEND_WRITE;
    // Size 0 without APPEND_WRITE, or no access attributes at all, deletes the variable.
    if ((!append && data.length === 0) || (attrs & (EFI_VARIABLE_BOOTSERVICE_ACCESS | EFI_VARIABLE_RUNTIME_ACCESS)) === 0) {
      if (!existing) return 'not-found';
      this.vars.delete(k);
      return 'ok';
    }
    if (existing && existing.attributes !== attrs) return 'invalid';
    const newData = append && existing ? concat(existing.data, data) : data.slice();
    if (newData.length + 2 * name.length > MAX_VARIABLE_SIZE || this.used() - (existing ? existing.data.length : 0) + newData.length > VARIABLE_STORE_SIZE) return 'out-of-resources';
    this.vars.set(k, { name, guid, attributes: attrs, data: newData });
    return 'ok';
  }

  used(): number {
    let n = 0;
    for (const v of this.vars.values()) n += v.data.length + 2 * (v.name.length + 1) + 16;
    return n;
  }

  all(): Variable[] {
    return [...this.vars.values()];
  }
}

function key(name: string, guid: string): string {
  return `${guid}/${name}`;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
