import { SignJWT, jwtVerify, createRemoteJWKSet, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import type { Clock, TokenIssuer } from '../domain/ports.ts';
import type { Role } from '../domain/records.ts';
import type { Secret } from '../config/secret.ts';

const OUR_ISSUER = 'showmethestock-billing';

export interface VerifiedPrincipal {
  /** Our user id for our own tokens; the external subject for host tokens. */
  subject: string;
  role: Role;
  source: 'local' | 'host';
}

export interface HostJwtOptions {
  hs256Secret: Secret | null;
  jwksUrl: string | null;
  issuer: string | null;
  audience: string | null;
  adminRoleClaim: string;
}

/**
 * Issues our HS256 bearer tokens and verifies them, plus, when configured,
 * tokens issued by a host application (HS256 shared secret or a JWKS URL).
 */
export class TokenService implements TokenIssuer {
  private readonly key: Uint8Array;
  private readonly hostKey: Uint8Array | JWTVerifyGetKey | null;
  /** Verified tokens until their expiry: clients send the same token on every request. */
  private readonly cache = new Map<string, { principal: VerifiedPrincipal; expMs: number }>();
  private static readonly CACHE_MAX = 10_000;

  constructor(
    secret: Secret,
    private readonly ttlSeconds: number,
    private readonly clock: Clock,
    private readonly host: HostJwtOptions,
  ) {
    this.key = new TextEncoder().encode(secret.reveal());
    this.hostKey = host.hs256Secret
      ? new TextEncoder().encode(host.hs256Secret.reveal())
      : host.jwksUrl
        ? createRemoteJWKSet(new URL(host.jwksUrl))
        : null;
  }

  async issue(s: { userId: string; role: Role }) {
    const nowSec = Math.floor(this.clock.now().getTime() / 1000);
    const exp = nowSec + this.ttlSeconds;
    const token = await new SignJWT({ role: s.role })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(s.userId)
      .setIssuer(OUR_ISSUER)
      .setIssuedAt(nowSec)
      .setExpirationTime(exp)
      .sign(this.key);
    return { token, expiresAt: new Date(exp * 1000) };
  }

  /** Returns the principal, or null for any invalid, expired or foreign token. */
  async verify(token: string): Promise<VerifiedPrincipal | null> {
    const currentDate = this.clock.now();
    const cached = this.cache.get(token);
    if (cached) {
      if (cached.expMs > currentDate.getTime()) return cached.principal;
      this.cache.delete(token);
    }
    const principal = await this.verifyUncached(token, currentDate);
    if (principal) {
      if (this.cache.size >= TokenService.CACHE_MAX) this.cache.delete(this.cache.keys().next().value!);
      this.cache.set(token, { principal, expMs: principal.expMs });
    }
    return principal;
  }

  private async verifyUncached(token: string, currentDate: Date): Promise<(VerifiedPrincipal & { expMs: number }) | null> {
    try {
      const { payload } = await jwtVerify(token, this.key, { issuer: OUR_ISSUER, algorithms: ['HS256'], currentDate });
      if (!payload.sub || !payload.exp) return null;
      return { subject: payload.sub, role: payload.role === 'admin' ? 'admin' : 'user', source: 'local', expMs: payload.exp * 1000 };
    } catch {
      // fall through to host tokens
    }
    if (!this.hostKey) return null;
    try {
      const opts = {
        currentDate,
        ...(this.host.issuer ? { issuer: this.host.issuer } : {}),
        ...(this.host.audience ? { audience: this.host.audience } : {}),
      };
      const { payload } =
        this.hostKey instanceof Uint8Array
          ? await jwtVerify(token, this.hostKey, { ...opts, algorithms: ['HS256'] })
          : await jwtVerify(token, this.hostKey, opts);
      if (!payload.sub) return null;
      // Host tokens without exp are re-verified after a minute.
      const expMs = payload.exp ? payload.exp * 1000 : currentDate.getTime() + 60_000;
      return { subject: payload.sub, role: hostRole(payload, this.host.adminRoleClaim), source: 'host', expMs };
    } catch {
      return null;
    }
  }
}

function hostRole(payload: JWTPayload, claim: string): Role {
  const v = payload[claim];
  if (v === 'admin') return 'admin';
  if (Array.isArray(v) && v.includes('admin')) return 'admin';
  return 'user';
}
