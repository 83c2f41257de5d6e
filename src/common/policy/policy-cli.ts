/**
 * The sample policy file, as oslopolicy-sample-generator writes it: every rule commented out
 * with its description, operations, intended scopes and deprecation notes, so an operator can
 * uncomment and edit the ones to override. Written by hand (PyYAML, like the `yaml` package,
 * cannot emit comments, which is why oslo builds this text by hand too).
 */
import type { RuleDefault } from './types.js';

const WRAP_WIDTH = 70;

/** A commented YAML policy file listing `defaults`; it parses as YAML (to an empty document). */
export function renderPolicySample(defaults: readonly RuleDefault[]): string {
  return defaults.map(formatRule).join('');
}

function formatRule(def: RuleDefault): string {
  const ruleLine = `${yamlString(def.name)}: ${yamlString(def.checkStr)}\n`;
  let text = '';
  if (def.description) text += formatHelpText(def.description) + '\n';
  for (const op of def.operations ?? []) {
    if (op.method && op.path) text += `# ${oneLine(op.method)}  ${oneLine(op.path)}\n`;
  }
  if (def.scopeTypes) text += `# Intended scope(s): ${def.scopeTypes.join(', ')}\n`;
  text += `#${ruleLine}\n`;

  if (def.deprecatedForRemoval) {
    return (
      `# DEPRECATED\n# ${yamlString(def.name)} has been deprecated since ${oneLine(String(def.deprecatedSince))}.\n` +
      `${formatHelpText(def.deprecatedReason)}\n${text}`
    );
  }
  const dep = def.deprecatedRule;
  if (!dep) return text;
  const since = dep.deprecatedSince ?? def.deprecatedSince;
  const reason = dep.deprecatedReason ?? def.deprecatedReason;
  text +=
    '# DEPRECATED\n' +
    formatHelpText(
      `"${dep.name}":"${dep.checkStr}" has been deprecated since ${since} in favor of "${def.name}":"${def.checkStr}".`,
    ) +
    '\n' +
    formatHelpText(reason) +
    '\n';
  if (dep.name !== def.name) {
    text +=
      '# WARNING: A rule name change has been identified.\n' +
      '#          This may be an artifact of new rules being\n' +
      '#          included which require legacy fallback\n' +
      '#          rules to ensure proper policy behavior.\n' +
      '#          Alternatively, this may just be an alias.\n' +
      '#          Please evaluate on a case by case basis\n' +
      '#          keeping in mind the format for aliased\n' +
      '#          rules is:\n' +
      '#          "old_rule_name": "new_rule_name".\n' +
      `# ${yamlString(dep.name)}: ${yamlString(`rule:${def.name}`)}\n`;
  }
  return text + '\n';
}

/** Text for inside a comment line: YAML would end the comment at a line break. */
function oneLine(s: string): string {
  return s.replace(/[\r\n]+/g, ' ');
}

/** A double-quoted YAML scalar (JSON string syntax is valid YAML). */
function yamlString(s: string): string {
  return JSON.stringify(s);
}

/**
 * oslo's _format_help_text: paragraphs wrapped at 70 columns behind `# `, blank lines kept as
 * `#`, indented lines (literal blocks) kept as they are.
 */
function formatHelpText(description: string | undefined): string {
  if (!description) return '#';
  const out: string[] = [];
  let paragraph: string[] = [];
  const flush = (): void => {
    out.push(...wrap(paragraph.join(' ')));
    paragraph = [];
  };
  for (const line of description.trim().split(/\r\n|\r|\n/)) {
    if (line.trim() === '') {
      flush();
      out.push('#');
    } else if (line === line.trimStart()) {
      paragraph.push(line.trimEnd());
    } else {
      if (paragraph.length > 0) {
        flush();
        out.push('#');
      }
      out.push(`# ${line.trimEnd()}`);
    }
  }
  if (paragraph.length > 0) flush();
  return out.join('\n');
}

/** textwrap.wrap(text, 70, initial_indent='# ', subsequent_indent='# '). */
function wrap(text: string): string[] {
  const room = WRAP_WIDTH - 2;
  const lines: string[] = [];
  let line = '';
  for (let word of text.split(/\s+/).filter(Boolean)) {
    while (word.length > room) {
      // textwrap breaks words longer than a line
      const take = line ? room - line.length - 1 : room;
      if (take <= 0) {
        lines.push(line);
        line = '';
        continue;
      }
      lines.push(line ? `${line} ${word.slice(0, take)}` : word.slice(0, take));
      line = '';
      word = word.slice(take);
    }
    if (!line) line = word;
    else if (line.length + 1 + word.length <= room) line += ` ${word}`;
    else {
      lines.push(line);
      line = word;
    }
  }
  if (line) lines.push(line);
  return lines.map((l) => `# ${l}`);
}
