/**
 * The configuration reference as a sample file (oslo-config-generator's output): every group
 * and option with its help, type, bounds, environment variable and default, commented out, so
 * `nubo config sample > nubo.conf` is a valid starting point. Groups that share a name (the
 * [DEFAULT] options of the plumbing and of the launcher) are printed as one section.
 */
import { envVarName } from './config.js';
import type { GroupDef, OptDef } from './options.js';

function describeType(o: OptDef<unknown>): string {
  const parts: string[] = [o.kind];
  if (o.choices) parts.push(`one of: ${o.choices.map((c) => (c === '' ? '(empty)' : c)).join(', ')}`);
  if (o.min !== undefined) parts.push(`minimum ${o.min}`);
  if (o.max !== undefined) parts.push(`maximum ${o.max}`);
  if (o.schemes) parts.push(`schemes: ${o.schemes.join(', ')}`);
  return parts.join('; ');
}

/** Word-wraps `text` into `# ` comment lines of at most `width` characters. */
function comment(text: string, width = 78): string[] {
  const lines: string[] = [];
  let line = '#';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line.length + 1 + word.length > width && line !== '#') {
      lines.push(line);
      line = '#';
    }
    line += ` ${word}`;
  }
  if (line !== '#') lines.push(line);
  return lines;
}

export function renderSample(groups: readonly GroupDef<any>[]): string {
  const byName = new Map<string, GroupDef<any>[]>();
  for (const g of groups) byName.set(g.name, [...(byName.get(g.name) ?? []), g]);
  const out: string[] = ['# Nubo configuration reference. Every option is shown with its default, commented out.'];
  for (const [name, defs] of byName) {
    out.push('', `[${name}]`);
    for (const help of new Set(defs.map((d) => d.help))) out.push(...comment(help));
    for (const def of defs) {
      for (const [key, o] of Object.entries(def.opts) as Array<[string, OptDef<unknown>]>) {
        out.push('', ...comment(o.help), `# (${describeType(o)}) env ${envVarName(name, key)}${o.env ? ` or ${o.env}` : ''}`);
        for (const old of o.deprecatedNames) out.push(`# Deprecated name: ${old}`);
        const value = o.secret ? '<secret>' : o.defaultRaw.replaceAll('\n', '\n#    ');
        out.push(value === '' ? `#${key} =` : `#${key} = ${value}`);
      }
    }
  }
  return `${out.join('\n')}\n`;
}
