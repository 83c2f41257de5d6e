/** Where an option's effective value came from, and how that is written in messages. */

export type ValueSource =
  | { readonly kind: 'default' }
  | { readonly kind: 'file'; readonly file: string; readonly line: number }
  | { readonly kind: 'env'; readonly name: string }
  | { readonly kind: 'cli' };

/** `default`, `/etc/nubo/nubo.conf:12`, `env NUBO_BIND` or `cli`. */
export function describeSource(source: ValueSource): string {
  switch (source.kind) {
    case 'default':
      return 'default';
    case 'file':
      return `${source.file}:${source.line}`;
    case 'env':
      return `env ${source.name}`;
    case 'cli':
      return 'cli';
  }
}
