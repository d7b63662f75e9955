/** EFI_STATUS values (UEFI 2.10, appendix D). Errors have the top bit of a UINTN set. */
const ERR = 1n << 63n;

export const EFI_SUCCESS = 0n;
export const EFI_LOAD_ERROR = ERR | 1n;
export const EFI_INVALID_PARAMETER = ERR | 2n;
export const EFI_UNSUPPORTED = ERR | 3n;
export const EFI_BAD_BUFFER_SIZE = ERR | 4n;
export const EFI_BUFFER_TOO_SMALL = ERR | 5n;
export const EFI_NOT_READY = ERR | 6n;
export const EFI_DEVICE_ERROR = ERR | 7n;
export const EFI_OUT_OF_RESOURCES = ERR | 9n;
export const EFI_NOT_FOUND = ERR | 14n;
export const EFI_ACCESS_DENIED = ERR | 15n;
export const EFI_TIMEOUT = ERR | 18n;
export const EFI_ABORTED = ERR | 21n;

const NAMES = new Map<bigint, string>([
  [EFI_SUCCESS, 'EFI_SUCCESS'],
  [EFI_LOAD_ERROR, 'EFI_LOAD_ERROR'],
  [EFI_INVALID_PARAMETER, 'EFI_INVALID_PARAMETER'],
  [EFI_UNSUPPORTED, 'EFI_UNSUPPORTED'],
  [EFI_BAD_BUFFER_SIZE, 'EFI_BAD_BUFFER_SIZE'],
  [EFI_BUFFER_TOO_SMALL, 'EFI_BUFFER_TOO_SMALL'],
  [EFI_NOT_READY, 'EFI_NOT_READY'],
  [EFI_DEVICE_ERROR, 'EFI_DEVICE_ERROR'],
  [EFI_OUT_OF_RESOURCES, 'EFI_OUT_OF_RESOURCES'],
  [EFI_NOT_FOUND, 'EFI_NOT_FOUND'],
  [EFI_ACCESS_DENIED, 'EFI_ACCESS_DENIED'],
  [EFI_TIMEOUT, 'EFI_TIMEOUT'],
  [EFI_ABORTED, 'EFI_ABORTED'],
]);

export function statusName(status: bigint): string {
  return NAMES.get(status) ?? `0x${status.toString(16)}`;
}
