/** The names in a directory, or none when it is missing or not a directory (the daemons walk trees that change under them). */
import { readdirSync } from 'node:fs';

export function listDir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
