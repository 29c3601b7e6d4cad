// Identifiers as callers send them: a prefix and 26 characters of Crockford base32, exactly as
// store/ids.ts makes them. An id that cannot exist is refused as invalid before any statement runs,
// and the format leaves no room for control characters.
import { z } from '@hono/zod-openapi';
import type { IdPrefix } from '../../store/ids.ts';

const idBody = '[0-9a-hjkmnp-tv-z]{26}';

const examples: Record<IdPrefix, string> = {
  ptn: 'ptn_01jh8x4z3e6q2v8k9m0n1p2r3s',
  prg: 'prg_01jh8x4z3e6q2v8k9m0n1p2r3t',
  mbr: 'mbr_01jh8x4z3e6q2v8k9m0n1p2r3v',
  lnk: 'lnk_01jh8x4z3e6q2v8k9m0n1p2r3w',
  agr: 'agr_01jh8x4z3e6q2v8k9m0n1p2r3x',
  trf: 'trf_01jh8x4z3e6q2v8k9m0n1p2r3y',
  qte: 'qte_01jh8x4z3e6q2v8k9m0n1p2r3z',
  whk: 'whk_01jh8x4z3e6q2v8k9m0n1p2r40',
  cyc: 'cyc_01jh8x4z3e6q2v8k9m0n1p2r41',
  ins: 'ins_01jh8x4z3e6q2v8k9m0n1p2r42',
  rvs: 'rvs_01jh8x4z3e6q2v8k9m0n1p2r43',
  rec: 'rec_01jh8x4z3e6q2v8k9m0n1p2r44',
  brk: 'brk_01jh8x4z3e6q2v8k9m0n1p2r45',
  swp: 'swp_01jh8x4z3e6q2v8k9m0n1p2r46',
  itm: 'itm_01jh8x4z3e6q2v8k9m0n1p2r47',
  ord: 'ord_01jh8x4z3e6q2v8k9m0n1p2r48',
  cmp: 'cmp_01jh8x4z3e6q2v8k9m0n1p2r4d',
  cpn: 'cpn_01jh8x4z3e6q2v8k9m0n1p2r49',
  ear: 'ear_01jh8x4z3e6q2v8k9m0n1p2r4a',
  acr: 'acr_01jh8x4z3e6q2v8k9m0n1p2r4b',
  arv: 'arv_01jh8x4z3e6q2v8k9m0n1p2r4c',
  cag: 'cag_01jh8x4z3e6q2v8k9m0n1p2r4e',
  ppm: 'ppm_01jh8x4z3e6q2v8k9m0n1p2r4f',
  ppo: 'ppo_01jh8x4z3e6q2v8k9m0n1p2r4g',
};

export function idPattern(prefix: IdPrefix): RegExp {
  return new RegExp(`^${prefix}_${idBody}$`);
}

/** An id of one kind: `id('trf')` accepts `trf_` and 26 base32 characters. */
export function id(prefix: IdPrefix) {
  return z
    .string()
    .regex(idPattern(prefix), `must be an id like ${prefix}_ followed by 26 characters`)
    .openapi({ example: examples[prefix] });
}

/** The same, as a path parameter named `name`. */
export function idParam(prefix: IdPrefix, name: string) {
  return id(prefix).openapi({ param: { name, in: 'path' } });
}
