import { randomBytes } from 'node:crypto';

/** Produces KakaoPay-shaped identifiers from a source of random lowercase hex. */
export class KakaoPayIds {
  constructor(private readonly randomHex: (length: number) => string = cryptoHex) {}

  /** Payment id: `T` + 19 lowercase hex. */
  tid(): string {
    return 'T' + this.randomHex(19);
  }

  /** Per-request (approve/cancel/charge) id: `A` + 19 lowercase hex. */
  aid(): string {
    return 'A' + this.randomHex(19);
  }

  /** Subscription key: `S` + 19 lowercase hex. */
  sid(): string {
    return 'S' + this.randomHex(19);
  }

  /** `pg_token`: 20 lowercase hex. */
  pgToken(): string {
    return this.randomHex(20);
  }

  /** Hosted-page path token: 64 lowercase hex. */
  pageToken(): string {
    return this.randomHex(64);
  }

  /** Card approval number: 8 digits. */
  approvedId(): string {
    return String(parseInt(this.randomHex(8), 16) % 100_000_000).padStart(8, '0');
  }
}

function cryptoHex(length: number): string {
  return randomBytes(Math.ceil(length / 2)).toString('hex').slice(0, length);
}
