/** xorshift32 (Marsaglia 2003): a small deterministic generator, so generated test cases are the same every run. */
export class Xorshift32 {
  constructor(private s: number) {}

  u32(): number {
    let x = this.s;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.s = x >>> 0;
    return this.s;
  }

  below(n: number): number {
    return this.u32() % n;
  }

  /** In [0, 1). */
  unit(): number {
    return this.u32() / 2 ** 32;
  }
}
