/** Times in admin resource bodies as nova prints a naive datetime ('2016-12-27T22:51:32.000000'). */
export function naiveTime(t: string | null | undefined): string | null {
  if (!t) return null;
  const d = new Date(t);
  if (Number.isNaN(d.getTime())) return t;
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000');
}
