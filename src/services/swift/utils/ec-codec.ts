/**
 * The erasure code of EC storage policies: a systematic Reed-Solomon code over GF(2^8)
 * derived from a Vandermonde matrix, as liberasurecode's `liberasurecode_rs_vand` is. Written
 * here by hand: no well-kept npm library does it in plain JavaScript (the ones there are a
 * native addon, WebAssembly builds or little-used ports).
 *
 * The (k+m)×k generator is V·inv(V_top) with V[i][j] = i^j (i = 0..k+m-1): its first k rows
 * are the identity (data fragments are the data, systematic), and any k rows are invertible
 * (a Vandermonde matrix of distinct points stays MDS through the change of basis), so any k
 * of the k+m fragments give the data back.
 *
 * One segment of L bytes is cut into k data fragments of ceil(L/k) bytes (the last padded with
 * zeros) and m parity fragments as long. Fragments carry no header: they are not byte-compatible
 * with liberasurecode's (the storage nodes that keep them are ours; the length of the data is
 * the object's X-Object-Sysmeta-Ec-Content-Length).
 */

const EXP = new Uint8Array(512);
const LOG = new Uint8Array(256);
{
  let x = 1;
  for (let i = 0; i < 255; i++) {
    EXP[i] = x;
    LOG[x] = i;
    x <<= 1;
    if (x & 0x100) x ^= 0x11d; // the primitive polynomial x^8+x^4+x^3+x^2+1
  }
  for (let i = 255; i < 512; i++) EXP[i] = EXP[i - 255]!;
}

const mul = (a: number, b: number): number => (a === 0 || b === 0 ? 0 : EXP[LOG[a]! + LOG[b]!]!);
const inv = (a: number): number => {
  if (a === 0) throw new Error('no inverse of 0 in GF(2^8)');
  return EXP[255 - LOG[a]!]!;
};
const pow = (a: number, n: number): number => (n === 0 ? 1 : a === 0 ? 0 : EXP[(LOG[a]! * n) % 255]!);

type Matrix = number[][];

/** The inverse of a square matrix over GF(2^8) (Gauss-Jordan); throws when it is singular. */
function invert(m: Matrix): Matrix {
  const n = m.length;
  const a = m.map((row, i) => [...row, ...Array.from({ length: n }, (_x, j) => (i === j ? 1 : 0))]);
  for (let c = 0; c < n; c++) {
    const p = a.findIndex((row, r) => r >= c && row[c] !== 0);
    if (p < 0) throw new Error('singular matrix');
    [a[c], a[p]] = [a[p]!, a[c]!];
    const pivot = inv(a[c]![c]!);
    a[c] = a[c]!.map((v) => mul(v, pivot));
    for (let r = 0; r < n; r++) {
      const f = a[r]![c]!;
      if (r === c || f === 0) continue;
      a[r] = a[r]!.map((v, j) => v ^ mul(f, a[c]![j]!));
    }
  }
  return a.map((row) => row.slice(n));
}

function multiply(x: Matrix, y: Matrix): Matrix {
  return x.map((row) => y[0]!.map((_v, j) => row.reduce((acc, v, l) => acc ^ mul(v, y[l]![j]!), 0)));
}

/** The 256-entry product table of each coefficient, made on first use. */
const TABLES: Array<Uint8Array | undefined> = new Array(256);
function tableOf(coef: number): Uint8Array {
  let t = TABLES[coef];
  if (!t) {
    t = new Uint8Array(256);
    for (let v = 1; v < 256; v++) t[v] = mul(v, coef);
    TABLES[coef] = t;
  }
  return t;
}

/** out ^= coef · src, byte by byte through the coefficient's product table. */
function mulAdd(out: Uint8Array, src: Uint8Array, coef: number): void {
  if (coef === 0) return;
  const n = src.length;
  if (coef === 1) {
    for (let i = 0; i < n; i++) out[i] = out[i]! ^ src[i]!;
    return;
  }
  const table = tableOf(coef);
  for (let i = 0; i < n; i++) out[i] = out[i]! ^ table[src[i]!]!;
}

export class ReedSolomon {
  /** The (k+m)×k generator matrix, its first k rows the identity. */
  private readonly generator: Matrix;
  private readonly decoders = new Map<string, Matrix>();

  constructor(readonly k: number, readonly m: number) {
    if (!Number.isInteger(k) || !Number.isInteger(m) || k < 1 || m < 1 || k + m > 256) throw new Error(`unusable Reed-Solomon parameters k=${k} m=${m}`);
    const vand: Matrix = Array.from({ length: k + m }, (_x, i) => Array.from({ length: k }, (_y, j) => pow(i, j)));
    this.generator = multiply(vand, invert(vand.slice(0, k)));
  }

  /** Bytes of each fragment of a segment of `length` bytes. */
  fragmentSize(length: number): number {
    return Math.ceil(length / this.k);
  }

  /** The k+m fragments of one segment. */
  encode(segment: Uint8Array): Buffer[] {
    const size = this.fragmentSize(segment.length);
    const frags: Buffer[] = [];
    for (let j = 0; j < this.k; j++) {
      const f = Buffer.alloc(size);
      f.set(segment.subarray(j * size, Math.min((j + 1) * size, segment.length)));
      frags.push(f);
    }
    for (let p = 0; p < this.m; p++) {
      const out = Buffer.alloc(size);
      const row = this.generator[this.k + p]!;
      for (let j = 0; j < this.k; j++) mulAdd(out, frags[j]!, row[j]!);
      frags.push(out);
    }
    return frags;
  }

  /**
   * The k data fragments from any k fragments (index → bytes, all of one length), as the
   * segment: their concatenation cut to `length` bytes.
   */
  decode(fragments: Map<number, Uint8Array>, length: number): Buffer {
    const indexes = [...fragments.keys()].filter((i) => i >= 0 && i < this.k + this.m).sort((a, b) => a - b).slice(0, this.k);
    if (indexes.length < this.k) throw new Error(`${indexes.length} fragments, ${this.k} needed`);
    const size = fragments.get(indexes[0]!)!.length;
    const data: Uint8Array[] = [];
    if (indexes.every((i, n) => i === n)) {
      for (const i of indexes) data.push(fragments.get(i)!);
    } else {
      const key = indexes.join(',');
      let dec = this.decoders.get(key);
      if (!dec) {
        dec = invert(indexes.map((i) => this.generator[i]!));
        this.decoders.set(key, dec);
      }
      for (let j = 0; j < this.k; j++) {
        const have = fragments.get(j);
        if (have) {
          data.push(have);
          continue;
        }
        const out = new Uint8Array(size);
        dec[j]!.forEach((coef, n) => mulAdd(out, fragments.get(indexes[n]!)!, coef));
        data.push(out);
      }
    }
    const seg = Buffer.alloc(size * this.k);
    data.forEach((d, j) => seg.set(d, j * size));
    return seg.subarray(0, length);
  }

  /** One fragment (index `index`) of a segment rebuilt from any k others: the reconstructor's job. */
  reconstruct(fragments: Map<number, Uint8Array>, index: number): Buffer {
    const size = fragments.values().next().value?.length ?? 0;
    const segment = this.decode(fragments, size * this.k);
    return this.encode(segment)[index]!;
  }
}
