/**
 * The text console: EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL (ConOut, StdErr) writing to an output sink (the UART)
 * and EFI_SIMPLE_TEXT_INPUT_PROTOCOL (ConIn) reading from an input queue. One text mode, 80x25, as OVMF's
 * serial terminal offers by default.
 */
import { viewOf } from '../../../common/struct.js';
import type { TrapHandler } from '../../firmware/traps.js';
import { type UefiContext, readUcs2, writePtr } from './context.js';
import type { EventService } from './events.js';
import { EFI_DEVICE_ERROR, EFI_NOT_READY, EFI_SUCCESS, EFI_UNSUPPORTED } from './status.js';
import { InputKey, SIMPLE_TEXT_INPUT_NAMES, SIMPLE_TEXT_OUTPUT_NAMES, SimpleTextInput, SimpleTextOutput, SimpleTextOutputMode } from './tables.js';

export const TEXT_COLUMNS = 80;
export const TEXT_ROWS = 25;
/** EFI_TEXT_ATTR(EFI_LIGHTGRAY, EFI_BLACK), the attribute OVMF starts with. */
export const DEFAULT_TEXT_ATTRIBUTE = 0x07;

export interface ConsoleIo {
  /** Receives the text the guest prints (ConOut and StdErr). */
  write(text: string, stream: 'ConOut' | 'StdErr'): void;
  /** Next input character, or undefined when none is waiting. */
  readKey?(): number | undefined;
}

export interface ConsoleProtocols {
  conOut: number;
  stdErr: number;
  conIn: number;
  /** Everything written so far (both streams), for tests and the trace. */
  readonly transcript: string[];
}

export function installConsole(ctx: UefiContext, io: ConsoleIo, events: EventService): ConsoleProtocols {
  const transcript: string[] = [];
  const makeOutput = (stream: 'ConOut' | 'StdErr'): number => {
    const proto = ctx.bootHeap.alloc(SimpleTextOutput.size);
    const mode = ctx.bootHeap.alloc(SimpleTextOutputMode.size);
    // The mode structure lives in guest memory (the guest reads it); every update is read-modify-write.
    const readMode = () => SimpleTextOutputMode.read(viewOf(ctx.bus.readBytes(mode, SimpleTextOutputMode.size)), 0);
    const updateMode = (v: Partial<ReturnType<typeof readMode>>) => ctx.bus.writeBytes(mode, SimpleTextOutputMode.encode({ ...readMode(), ...v }));
    ctx.bus.writeBytes(mode, SimpleTextOutputMode.encode({ MaxMode: 1, Mode: 0, Attribute: DEFAULT_TEXT_ATTRIBUTE, CursorColumn: 0, CursorRow: 0, CursorVisible: 1 }));
    const setCursor = (col: number, row: number) => updateMode({ CursorColumn: col, CursorRow: row });
    const handlers: Record<(typeof SIMPLE_TEXT_OUTPUT_NAMES)[number], TrapHandler | undefined> = {
      Reset: () => {
        setCursor(0, 0);
        return EFI_SUCCESS;
      },
      OutputString: (c) => {
        const text = readUcs2(c.bus, c.argNum(1));
        transcript.push(text);
        io.write(text, stream);
        let { CursorColumn: col, CursorRow: row } = readMode();
        for (const ch of text) {
          if (ch === '\r') col = 0;
          else if (ch === '\n') row = Math.min(row + 1, TEXT_ROWS - 1);
          else if (ch === '\b') col = Math.max(0, col - 1);
          else if (++col >= TEXT_COLUMNS) {
            col = 0;
            row = Math.min(row + 1, TEXT_ROWS - 1);
          }
        }
        setCursor(col, row);
        return EFI_SUCCESS;
      },
      TestString: () => EFI_SUCCESS,
      QueryMode: (c) => {
        if (c.argNum(1) !== 0) return EFI_UNSUPPORTED;
        writePtr(c.bus, c.argNum(2), TEXT_COLUMNS);
        writePtr(c.bus, c.argNum(3), TEXT_ROWS);
        return EFI_SUCCESS;
      },
      SetMode: (c) => {
        if (c.argNum(1) !== 0) return EFI_UNSUPPORTED;
        setCursor(0, 0);
        return EFI_SUCCESS;
      },
      SetAttribute: (c) => {
        updateMode({ Attribute: c.argNum(1) & 0x7f });
        return EFI_SUCCESS;
      },
      ClearScreen: () => {
        setCursor(0, 0);
        return EFI_SUCCESS;
      },
      SetCursorPosition: (c) => {
        const col = c.argNum(1);
        const row = c.argNum(2);
        if (col >= TEXT_COLUMNS || row >= TEXT_ROWS) return EFI_UNSUPPORTED;
        setCursor(col, row);
        return EFI_SUCCESS;
      },
      EnableCursor: (c) => {
        updateMode({ CursorVisible: Number(c.arg(1) & 0xffn) ? 1 : 0 });
        return EFI_SUCCESS;
      },
      Mode: undefined,
    };
    const values: Record<string, bigint> = {};
    for (const name of SIMPLE_TEXT_OUTPUT_NAMES) {
      const h = handlers[name];
      values[name] = h ? BigInt(ctx.traps.register(`${stream}.${name}`, name === 'OutputString' ? 1 : 3, h)) : BigInt(mode);
    }
    ctx.bus.writeBytes(proto, SimpleTextOutput.encode(values));
    return proto;
  };
  const conOut = makeOutput('ConOut');
  const stdErr = makeOutput('StdErr');

  const conIn = ctx.bootHeap.alloc(SimpleTextInput.size);
  const waitForKey = events.createKeyEvent(() => io.readKey !== undefined);
  const inputValues: Record<(typeof SIMPLE_TEXT_INPUT_NAMES)[number], bigint> = {
    Reset: BigInt(ctx.traps.register('ConIn.Reset', 2, () => EFI_SUCCESS)),
    ReadKeyStroke: BigInt(
      ctx.traps.register('ConIn.ReadKeyStroke', 2, (c) => {
        const key = io.readKey?.();
        if (key === undefined) return EFI_NOT_READY;
        if (c.argNum(1) === 0) return EFI_DEVICE_ERROR;
        c.bus.writeBytes(c.argNum(1), InputKey.encode({ ScanCode: 0, UnicodeChar: key === 0x0a ? 0x0d : key }));
        return EFI_SUCCESS;
      }),
    ),
    WaitForKey: BigInt(waitForKey),
  };
  ctx.bus.writeBytes(conIn, SimpleTextInput.encode(inputValues));
  return { conOut, stdErr, conIn, transcript };
}
