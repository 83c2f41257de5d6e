/**
 * Reads an operator's policy file: a YAML (or JSON) map of rule name to check string, as
 * oslo.policy's parse_file_contents. A missing file means "no overrides".
 */
import { readFileSync } from 'node:fs';
import { isMap, isScalar, parseDocument } from 'yaml';
import { PolicyFileError } from './errors.js';
import { isRecord } from './python-values.js';

/** A rule as written in a policy file: a check string, the legacy list form, or null. */
export type FileRuleValue = string | unknown[] | null;

export interface PolicyFileContents {
  rules: Map<string, FileRuleValue>;
  warnings: string[];
}

/** Loads `path`; undefined when the file does not exist. Throws PolicyFileError otherwise. */
export function readPolicyFile(path: string): PolicyFileContents | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new PolicyFileError(`Cannot read policy file ${path}: ${(err as Error).message}`, { cause: err });
  }
  return parsePolicyFile(text, path);
}

/** Parses policy file text (YAML; JSON is accepted as the YAML subset it is). */
export function parsePolicyFile(text: string, path = 'policy file'): PolicyFileContents {
  const warnings: string[] = [];
  const data = parseData(text, path, warnings);
  if (data === null || data === undefined) return { rules: new Map(), warnings };
  if (!isRecord(data)) {
    throw new PolicyFileError(`Policy file ${path} must be a map of rule name to check string`);
  }
  const rules = new Map<string, FileRuleValue>();
  for (const [name, value] of Object.entries(data)) {
    if (typeof value === 'string' || value === null || Array.isArray(value)) {
      rules.set(name, value);
    } else {
      throw new PolicyFileError(
        `Policy file ${path}: rule "${name}" must be a check string, got ${JSON.stringify(value)}`,
      );
    }
  }
  return { rules, warnings };
}

function parseData(text: string, path: string, warnings: string[]): unknown {
  // JSON first when it looks like JSON: YAML rejects some valid JSON (tabs as indentation).
  if (text.trimStart().startsWith('{')) {
    try {
      return JSON.parse(text);
    } catch {
      // not strict JSON: YAML flow mappings also start with "{"
    }
  }
  const doc = parseDocument(text, { uniqueKeys: false });
  if (doc.errors.length > 0) {
    throw new PolicyFileError(`Cannot parse policy file ${path}: ${doc.errors[0]?.message}`);
  }
  const duplicates = findDuplicateKeys(doc.contents);
  if (duplicates.length > 0) {
    warnings.push(`Policy file ${path} defines ${duplicates.join(', ')} more than once; the last definition is used`);
  }
  return doc.toJS();
}

function findDuplicateKeys(contents: unknown): string[] {
  if (!isMap(contents)) return [];
  const seen = new Set<string>();
  const dups = new Set<string>();
  for (const pair of contents.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
    if (seen.has(key)) dups.add(key);
    seen.add(key);
  }
  return [...dups];
}
