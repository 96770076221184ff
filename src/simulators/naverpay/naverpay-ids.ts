import { createHash, randomBytes, randomInt } from 'node:crypto';
import { formatKstDate } from './naverpay-clock.ts';

/**
 * Id source of the sandbox. Shapes follow spec §2.8:
 * - paymentId / payHistId: `yyyyMMdd` (KST) + `NP` + 10 digits.
 * - reserveId / recurrentId: `yyyyMMdd` + 40 base64 characters. [I for one-time reserveIds]
 *   Every such id contains `+`, `/` and `=` on purpose, so encoding bugs show up in tests.
 * - tempReceiptId: `yyyyMMdd` + `TP` + 10 digits + 6 letters.
 */
export class SandboxIds {
  // Random start so ids of two sandbox runs are unlikely to collide in one database.
  #sequence = randomInt(1_000_000_000, 5_000_000_000);

  #nextDigits(): string {
    this.#sequence += 1;
    return String(this.#sequence).padStart(10, '0').slice(-10);
  }

  paymentId(nowMs: number): string {
    return `${formatKstDate(nowMs)}NP${this.#nextDigits()}`;
  }

  payHistId(nowMs: number): string {
    return `${formatKstDate(nowMs)}NP${this.#nextDigits()}`;
  }

  reserveId(nowMs: number): string {
    return `${formatKstDate(nowMs)}${base64WithSpecials()}`;
  }

  recurrentId(nowMs: number): string {
    return `${formatKstDate(nowMs)}${base64WithSpecials()}`;
  }

  tempReceiptId(nowMs: number): string {
    const letters = randomBytes(6)
      .toString('base64')
      .replace(/[^A-Za-z]/g, 'x')
      .slice(0, 6);
    return `${formatKstDate(nowMs)}TP${this.#nextDigits()}${letters}`;
  }

  cardAuthNo(): string {
    return String(randomInt(10_000_000, 100_000_000));
  }
}

/** 28 random bytes as base64 (40 chars, `==` padding) with a `+` and a `/` forced in. */
function base64WithSpecials(): string {
  const chars = randomBytes(28).toString('base64').split('');
  if (!chars.includes('+')) chars[3] = '+';
  // Not over the only `+` (the `+` forced above sits at 3; a random one may sit at 11).
  if (!chars.includes('/')) chars[chars[11] === '+' ? 12 : 11] = '/';
  return chars.join('');
}

/** Opaque, stable per-user identifier (44-char base64), like `userIdentifier` in approvals. */
export function userIdentifierFor(merchantUserKey: string | undefined, fallback: string): string {
  return createHash('sha256')
    .update(`naverpay-sandbox-user:${merchantUserKey || fallback}`)
    .digest('base64');
}
