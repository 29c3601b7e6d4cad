// Coupon codes the gateway generates: 60 random bits in Crockford base32 (no I, L, O, U to misread),
// grouped in fours for reading aloud, with a check character (Luhn mod 32) that catches any single
// mistyped character and any swap of two neighbours but 0/Z, before the till asks the gateway.
import { randomBytes } from 'node:crypto';

const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const bodyLength = 12;

function checkCharacter(body: string): string {
  let sum = 0;
  let double = true;
  for (let index = body.length - 1; index >= 0; index -= 1) {
    let value = alphabet.indexOf(body[index] ?? '');
    if (double) {
      value *= 2;
      value = Math.floor(value / 32) + (value % 32);
    }
    sum += value;
    double = !double;
  }
  return alphabet[(32 - (sum % 32)) % 32] ?? '0';
}

/** A new code, like `7K3M-QX2D-9RTB-H`: unguessable (60 random bits) and self-checking. */
export function generateCouponCode(random: (size: number) => Buffer = randomBytes): string {
  const bytes = random(8);
  let value = bytes.readBigUInt64BE(0) >> 4n;
  let body = '';
  for (let index = 0; index < bodyLength; index += 1) {
    body = (alphabet[Number(value & 31n)] ?? '0') + body;
    value >>= 5n;
  }
  const full = body + checkCharacter(body);
  return `${full.slice(0, 4)}-${full.slice(4, 8)}-${full.slice(8, 12)}-${full.slice(12)}`;
}

// Hyphens and white space (JavaScript's \s, spelled out): the till reads a code without them.
const separators = /[-\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]/g;

/**
 * The code as the till reads it, and as a generated one is stored: a to z in upper case, without
 * separators; Crockford's look-alikes I, L and O read as 1, 1 and 0. Two codes one publisher holds
 * never read the same. The database's coupon_code_key is this function, character for character
 * (letters beyond a to z are left as they are in both: PostgreSQL's upper() would read them by
 * the database's locale).
 */
export function normalizeCouponCode(code: string): string {
  return code
    .replace(separators, '')
    .replace(/[a-z]/g, (letter) => letter.toUpperCase())
    .replace(/[IL]/g, '1')
    .replace(/O/g, '0');
}

/** Whether a generated code's check character holds (a typo is caught here, without a lookup). */
export function isWellFormedGeneratedCode(code: string): boolean {
  const normalized = normalizeCouponCode(code);
  if (normalized.length !== bodyLength + 1 || [...normalized].some((char) => !alphabet.includes(char)))
    return false;
  return checkCharacter(normalized.slice(0, bodyLength)) === normalized.slice(bodyLength);
}
