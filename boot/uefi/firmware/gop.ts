/**
 * EFI_GRAPHICS_OUTPUT_PROTOCOL on a linear framebuffer (UEFI 2.10, 12.9): one mode, 32-bit
 * PixelBlueGreenRedReserved8BitPerColor as OVMF's QEMU video driver offers, Blt with its four operations.
 */
import { viewOf } from '../../../common/struct.js';
import { type UefiContext, writePtr } from './context.js';
import { EFI_INVALID_PARAMETER, EFI_OUT_OF_RESOURCES, EFI_SUCCESS, EFI_UNSUPPORTED } from './status.js';
import { GOP_NAMES, GraphicsModeInfo, GraphicsOutput, GraphicsOutputMode, PixelBlueGreenRedReserved8BitPerColor } from './tables.js';
import { EfiBootServicesData } from '../../firmware/memory-types.js';

export interface Framebuffer {
  /** Guest-physical base of the linear framebuffer (RAM the caller mapped on the bus, like a VGA BAR). */
  base: number;
  width: number;
  height: number;
}

export const BltVideoFill = 0;
export const BltVideoToBltBuffer = 1;
export const BltBufferToVideo = 2;
export const BltVideoToVideo = 3;
const BYTES_PER_PIXEL = 4;

export function framebufferSize(fb: Framebuffer): number {
  return fb.width * fb.height * BYTES_PER_PIXEL;
}

export function installGop(ctx: UefiContext, fb: Framebuffer): number {
  const proto = ctx.bootHeap.alloc(GraphicsOutput.size);
  const mode = ctx.bootHeap.alloc(GraphicsOutputMode.size);
  const info = ctx.bootHeap.alloc(GraphicsModeInfo.size);
  const infoValues = {
    Version: 0,
    HorizontalResolution: fb.width,
    VerticalResolution: fb.height,
    PixelFormat: PixelBlueGreenRedReserved8BitPerColor,
    PixelsPerScanLine: fb.width,
  };
  ctx.bus.writeBytes(info, GraphicsModeInfo.encode(infoValues));
  ctx.bus.writeBytes(mode, GraphicsOutputMode.encode({
    MaxMode: 1,
    Mode: 0,
    Info: BigInt(info),
    SizeOfInfo: BigInt(GraphicsModeInfo.size),
    FrameBufferBase: BigInt(fb.base),
    FrameBufferSize: BigInt(framebufferSize(fb)),
  }));
  const pixel = (x: number, y: number) => fb.base + (y * fb.width + x) * BYTES_PER_PIXEL;
  const handlers = {
    QueryMode: ctx.traps.register('GOP.QueryMode', 4, (c) => {
      if (c.argU32(1) !== 0) return EFI_INVALID_PARAMETER;
      if (c.argNum(2) === 0 || c.argNum(3) === 0) return EFI_INVALID_PARAMETER;
      // The caller frees the returned copy with FreePool.
      const copy = ctx.memory.allocatePool(EfiBootServicesData, GraphicsModeInfo.size);
      if (copy === undefined) return EFI_OUT_OF_RESOURCES;
      c.bus.writeBytes(copy, GraphicsModeInfo.encode(infoValues));
      writePtr(c.bus, c.argNum(2), GraphicsModeInfo.size);
      writePtr(c.bus, c.argNum(3), copy);
      return EFI_SUCCESS;
    }),
    SetMode: ctx.traps.register('GOP.SetMode', 2, (c) => {
      if (c.argU32(1) !== 0) return EFI_UNSUPPORTED;
      c.bus.writeBytes(fb.base, new Uint8Array(framebufferSize(fb)));
      return EFI_SUCCESS;
    }),
    Blt: ctx.traps.register('GOP.Blt', 10, (c) => {
      const buffer = c.argNum(1);
      const op = c.argU32(2);
      const [sx, sy, dx, dy, w, h] = [3, 4, 5, 6, 7, 8].map((i) => c.argNum(i)) as [number, number, number, number, number, number];
      const delta = c.argNum(9) || w * BYTES_PER_PIXEL;
      if (w === 0 || h === 0) return EFI_INVALID_PARAMETER;
      const inScreen = (x: number, y: number) => x + w <= fb.width && y + h <= fb.height;
      if (op === BltVideoFill) {
        if (!inScreen(dx, dy)) return EFI_INVALID_PARAMETER;
        const colour = c.bus.readBytes(buffer, BYTES_PER_PIXEL);
        const row = new Uint8Array(w * BYTES_PER_PIXEL);
        for (let i = 0; i < w; i++) row.set(colour, i * BYTES_PER_PIXEL);
        for (let y = 0; y < h; y++) c.bus.writeBytes(pixel(dx, dy + y), row);
      } else if (op === BltVideoToBltBuffer) {
        if (!inScreen(sx, sy)) return EFI_INVALID_PARAMETER;
        for (let y = 0; y < h; y++) c.bus.writeBytes(buffer + (dy + y) * delta + dx * BYTES_PER_PIXEL, c.bus.readBytes(pixel(sx, sy + y), w * BYTES_PER_PIXEL));
      } else if (op === BltBufferToVideo) {
        if (!inScreen(dx, dy)) return EFI_INVALID_PARAMETER;
        for (let y = 0; y < h; y++) c.bus.writeBytes(pixel(dx, dy + y), c.bus.readBytes(buffer + (sy + y) * delta + sx * BYTES_PER_PIXEL, w * BYTES_PER_PIXEL));
      } else if (op === BltVideoToVideo) {
        if (!inScreen(sx, sy) || !inScreen(dx, dy)) return EFI_INVALID_PARAMETER;
        const rows = Array.from({ length: h }, (_, y) => c.bus.readBytes(pixel(sx, sy + y), w * BYTES_PER_PIXEL));
        rows.forEach((r, y) => c.bus.writeBytes(pixel(dx, dy + y), r));
      } else {
        return EFI_INVALID_PARAMETER;
      }
      return EFI_SUCCESS;
    }),
  };
  const values: Record<(typeof GOP_NAMES)[number], bigint> = {
    QueryMode: BigInt(handlers.QueryMode),
    SetMode: BigInt(handlers.SetMode),
    Blt: BigInt(handlers.Blt),
    Mode: BigInt(mode),
  };
  ctx.bus.writeBytes(proto, GraphicsOutput.encode(values));
  return proto;
}
