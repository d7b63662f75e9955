/**
 * A serial terminal for programs that paint a screen through ANSI escape sequences (memtest86+'s serial
 * console, SeaBIOS's banner): the stream is replayed onto an 80x25 character grid, the way a VT100 shows it,
 * so two runs can be compared by what ends up on the screen rather than by the order they painted it.
 * Handled: CUP (ESC[r;cH / f), ED (ESC[2J), EL (ESC[K), RIS (ESC c), CR, LF; attributes (SGR) and modes
 * (ESC[?..h/l) change nothing on the grid. Characters past column 80 are dropped (no auto-wrap).
 */
export const COLUMNS = 80;
export const ROWS = 25;

export function renderScreen(stream: string): string[] {
  const grid: string[][] = Array.from({ length: ROWS }, () => Array<string>(COLUMNS).fill(' '));
  let row = 0;
  let col = 0;
  const clear = (): void => {
    for (const r of grid) r.fill(' ');
  };
  for (let i = 0; i < stream.length; i++) {
    const ch = stream[i]!;
    if (ch === '\x1b') {
      if (stream[i + 1] === 'c') {
        clear();
        row = col = 0;
        i++;
        continue;
      }
      const m = /^\[([?0-9;]*)([A-Za-z])/.exec(stream.slice(i + 1, i + 24));
      if (!m) continue;
      i += m[0].length;
      const params = m[1]!.replace('?', '').split(';').map((p) => (p === '' ? 0 : Number(p)));
      switch (m[2]) {
        case 'H': case 'f':
          row = Math.min(ROWS - 1, Math.max(0, (params[0] || 1) - 1));
          col = Math.min(COLUMNS, Math.max(0, (params[1] || 1) - 1));
          break;
        case 'J':
          if (params[0] === 2) clear();
          break;
        case 'K':
          for (let c = col; c < COLUMNS; c++) grid[row]![c] = ' ';
          break;
      }
      continue;
    }
    if (ch === '\r') col = 0;
    else if (ch === '\n') {
      if (row < ROWS - 1) row++;
      else {
        grid.shift();
        grid.push(Array<string>(COLUMNS).fill(' '));
      }
    } else if (ch >= ' ') {
      if (col < COLUMNS) grid[row]![col] = ch;
      col++;
    }
  }
  return grid.map((r) => r.join(''));
}
