/**
 * Comparing a console log of ours with the reference's (QEMU's): line order matters, extra reference lines do
 * not. The result: our lines that the reference lacks, in order: each of our lines must appear at or after the place the previous
 * one matched (an in-order subsequence), so a line QEMU printed elsewhere does not count.
 */
export function missingInOrder(mine: readonly string[], theirs: readonly string[]): string[] {
  let at = 0;
  const missing: string[] = [];
  for (const line of mine) {
    const k = theirs.indexOf(line, at);
    if (k < 0) missing.push(line);
    else at = k + 1;
  }
  return missing;
}
