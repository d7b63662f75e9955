/**
 * The firmware's event trace: every firmware call, ExitBootServices attempt and loader decision as a plain
 * JSON-able record. Records carry no wall-clock time, so two runs of the same boot produce identical traces.
 */

export type TraceValue = string | number | boolean | null | TraceValue[] | { [key: string]: TraceValue };

export interface FirmwareEvent {
  /** Monotonic sequence number inside one run. */
  seq: number;
  /** 'call' (a firmware service), 'exit-boot-services', 'load' (a loader placed something), ... */
  kind: string;
  name: string;
  data: { [key: string]: TraceValue };
}

export class FirmwareTrace {
  readonly events: FirmwareEvent[] = [];
  private readonly listeners: Array<(e: FirmwareEvent) => void> = [];

  record(kind: string, name: string, data: { [key: string]: TraceValue } = {}): FirmwareEvent {
    const event = { seq: this.events.length, kind, name, data };
    this.events.push(event);
    for (const l of this.listeners) l(event);
    return event;
  }

  onEvent(listener: (e: FirmwareEvent) => void): void {
    this.listeners.push(listener);
  }

  toJSON(): FirmwareEvent[] {
    return this.events;
  }
}

/** 0x-prefixed hex for trace records (bigints and Numbers alike). */
export function traceHex(value: number | bigint): string {
  return '0x' + value.toString(16);
}
