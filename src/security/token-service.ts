import { SignJWT, jwtVerify, createRemoteJWKSet, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import type { Clock, IdGenerator, TokenIssuer } from '../domain/ports.ts';
import type { Role } from '../domain/records.ts';
import type { SessionStore } from '../domain/session-store.ts';
import type { Secret } from '../config/secret.ts';

const OUR_ISSUER = 'showmethestock-billing';

/**
 * A token whose signature and expiry are good. Our own tokens carry no authority of their
 * own: the session (`sessionId`, the token's jti) must still be live and the role is read from
 * the database on each request (SessionGuard). Host tokens carry the host application's role.
 */
export type VerifiedPrincipal =
  | { source: 'local'; /** Our user id. */ subject: string; sessionId: string }
  | { source: 'host'; /** The host application's subject. */ subject: string; role: Role };

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

  /** Each issued token gets a session row in `sessions` (id from `ids`, prefix `ses`). */
  constructor(
    secret: Secret,
    private readonly ttlSeconds: number,
    private readonly clock: Clock,
    private readonly host: HostJwtOptions,
    private readonly sessions: { store: SessionStore; ids: IdGenerator },
  ) {
    this.key = new TextEncoder().encode(secret.reveal());
    this.hostKey = host.hs256Secret
      ? new TextEncoder().encode(host.hs256Secret.reveal())
      : host.jwksUrl
        ? createRemoteJWKSet(new URL(host.jwksUrl))
        : null;
  }

  /** Starts a session and returns its token. The role is not put in the token: it is read per request. */
  async issue(s: { userId: string; role: Role }) {
    const nowSec = Math.floor(this.clock.now().getTime() / 1000);
    const exp = nowSec + this.ttlSeconds;
    const sessionId = this.sessions.ids.next('ses');
    await this.sessions.store.createSession({
      id: sessionId,
      userId: s.userId,
      createdAt: new Date(nowSec * 1000),
      expiresAt: new Date(exp * 1000),
    });
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setJti(sessionId)
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
      // Tokens without a session id (issued before sessions existed, or made up) are not ours.
      if (!payload.sub || !payload.exp || typeof payload.jti !== 'string' || !payload.jti) return null;
      return { source: 'local', subject: payload.sub, sessionId: payload.jti, expMs: payload.exp * 1000 };
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
      return { source: 'host', subject: payload.sub, role: hostRole(payload, this.host.adminRoleClaim), expMs };
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
