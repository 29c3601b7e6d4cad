// Identifiers: a readable prefix and a time-ordered random part (48 bits of milliseconds, 80 random
// bits, Crockford base32), so ids sort by creation and a cursor over them is stable.
import { randomBytes } from 'node:crypto';

const alphabet = '0123456789abcdefghjkmnpqrstvwxyz';

export type IdPrefix =
  | 'ptn'
  | 'prg'
  | 'mbr'
  | 'lnk'
  | 'agr'
  | 'trf'
  | 'qte'
  | 'whk'
  | 'cyc'
  | 'ins'
  | 'rvs'
  | 'rec'
  | 'brk'
  | 'swp'
  | 'itm'
  | 'ord'
  | 'cmp'
  | 'cpn'
  | 'ear'
  | 'acr'
  | 'arv'
  | 'cag'
  | 'ppm'
  | 'ppo';

export function newId(prefix: IdPrefix, nowMs: number = Date.now()): string {
  const bytes = Buffer.alloc(16);
  bytes.writeUIntBE(nowMs, 0, 6);
  randomBytes(10).copy(bytes, 6);
  let value = BigInt(`0x${bytes.toString('hex')}`);
  let text = '';
  for (let index = 0; index < 26; index += 1) {
    text = alphabet[Number(value & 31n)] + text;
    value >>= 5n;
  }
  return `${prefix}_${text}`;
}
