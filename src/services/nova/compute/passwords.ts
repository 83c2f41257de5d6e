/** nova's utils.generate_password: 12 characters of an alphabet without look-alikes (l, 1, O, 0...). */
import { randomBytes } from 'node:crypto';

export function generatePassword(): string {
  const symbols = 'abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  return [...randomBytes(12)].map((b) => symbols[b % symbols.length]).join('');
}
