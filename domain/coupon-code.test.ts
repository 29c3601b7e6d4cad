import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateCouponCode, isWellFormedGeneratedCode, normalizeCouponCode } from './coupon-code.ts';

describe('generated coupon codes', () => {
  it('are well formed, grouped, and distinct', () => {
    const codes = new Set(Array.from({ length: 10_000 }, () => generateCouponCode()));
    expect(codes.size).toBe(10_000);
    for (const code of [...codes].slice(0, 100)) {
      expect(code).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]$/);
      expect(isWellFormedGeneratedCode(code)).toBe(true);
      expect(isWellFormedGeneratedCode(code.toLowerCase().replaceAll('-', ' '))).toBe(true);
    }
  });

  it('catch any single mistyped character and any swap of two neighbours but 0/Z', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 8, maxLength: 8 }),
        fc.nat(12),
        fc.nat(31),
        (bytes, at, shift) => {
          const code = normalizeCouponCode(generateCouponCode(() => Buffer.from(bytes)));
          const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
          const replaced = alphabet[(alphabet.indexOf(code[at] ?? '0') + 1 + (shift % 31)) % 32] ?? '0';
          const typo = code.slice(0, at) + replaced + code.slice(at + 1);
          expect(isWellFormedGeneratedCode(typo)).toBe(false);
          // Swaps within the body; Luhn mod 32 misses one pair only (0 and Z, as mod 10 misses 09/90).
          const swapAt = Math.min(at, code.length - 3);
          const [a, b] = [code[swapAt], code[swapAt + 1]];
          if (a !== b && `${a}${b}` !== '0Z' && `${a}${b}` !== 'Z0') {
            const swapped = code.slice(0, swapAt) + b + a + code.slice(swapAt + 2);
            expect(isWellFormedGeneratedCode(swapped)).toBe(false);
          }
        },
      ),
    );
  });
});
