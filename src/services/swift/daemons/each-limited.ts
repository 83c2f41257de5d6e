/** The daemons' `concurrency`: work over a list with a bounded number of tasks in flight. */

/** Runs `fn` over `items`, at most `concurrency` at a time (the daemons' concurrency option). */
export async function eachLimited<T>(items: readonly T[], concurrency: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++]!;
      await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
}
