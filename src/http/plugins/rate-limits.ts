import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify';
import rateLimit, { normalizeIP } from '@fastify/rate-limit';
import { rateLimited } from '../../use-cases/rate-limited.ts';
import type { Clock } from '../../domain/ports.ts';
import type { RateLimitRepository } from '../../storage/repositories/rate-limit-repository.ts';

export interface RateLimitRule {
  max: number;
  windowMs: number;
}

export interface RateLimitOptions {
  repo: RateLimitRepository;
  clock: Clock;
  signup: RateLimitRule;
  ready: RateLimitRule;
  passwordReset: RateLimitRule;
}

/**
 * The client address that per-address limits count: `req.ip` (X-Forwarded-For only
 * under TRUST_PROXY), with IPv6 addresses reduced to their /64 network, since one
 * client usually holds a whole /64 and could otherwise rotate through it.
 */
export function clientAddressOf(req: FastifyRequest): string {
  return normalizeIP(req.ip);
}

/** The counter of a user's checkout starts (`POST /api/payment/:method/ready`). */
export function readyLimitKey(userId: string): string {
  return `ready:user:${userId}`;
}

type Callback = (err: Error | null, res?: { current: number; ttl: number }) => void;

/** @fastify/rate-limit's store interface over our database: every replica counts in the same rows. */
function databaseStore(repo: RateLimitRepository, clock: Clock) {
  return class DatabaseRateLimitStore {
    incr(key: string, cb: Callback, timeWindow: number): void {
      const now = clock.now();
      repo.hit(key, timeWindow, now).then(
        (r) => cb(null, { current: r.hits, ttl: Math.max(0, r.windowEndsAt.getTime() - now.getTime()) }),
        (err: Error) => cb(err),
      );
    }

    read(key: string, cb: Callback): void {
      const now = clock.now();
      repo.read(key, now).then(
        (r) => cb(null, { current: r.hits, ttl: r.windowEndsAt ? Math.max(0, r.windowEndsAt.getTime() - now.getTime()) : 0 }),
        (err: Error) => cb(err),
      );
    }

    /** Per-route stores share the table; keys carry the route's name. */
    child(): DatabaseRateLimitStore {
      return this;
    }
  };
}

/** Which routes are limited, by what key. One table, so the limits are read in one place. */
function rules(
  opts: RateLimitOptions,
): Record<string, { rule: RateLimitRule; key: (req: FastifyRequest) => string; skip?: (req: FastifyRequest) => boolean }> {
  return {
    'POST /api/auth/signup': { rule: opts.signup, key: (req) => `signup:address:${clientAddressOf(req)}` },
    // Per user, counted by the checkout start's own first statement (`readyLimitKey`, startCheckout);
    // here only an unauthenticated call (refused later), by address.
    'POST /api/payment/:method/ready': {
      rule: opts.ready,
      key: (req) => `ready:address:${clientAddressOf(req)}`,
      skip: (req) => req.principal != null,
    },
    // Per address: the answer is the same for every e-mail; mails per account are limited by the use case.
    'POST /api/auth/password-reset/request': { rule: opts.passwordReset, key: (req) => `password-reset:address:${clientAddressOf(req)}` },
  };
}

/**
 * Rate limits of sign-up and checkout start (docs/web-security.md). Must be
 * registered before the routes. A refusal is RATE_LIMITED (429) with
 * Retry-After, through the one error handler.
 */
export async function registerRateLimits(app: FastifyInstance, opts: RateLimitOptions): Promise<void> {
  const table = rules(opts);
  // Runs before @fastify/rate-limit's own onRoute hook (registered below), which reads config.rateLimit.
  app.addHook('onRoute', (route: RouteOptions) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const m of methods) {
      const entry = table[`${m} ${route.url}`];
      if (!entry) continue;
      route.config = {
        ...(route.config as object),
        rateLimit: { max: entry.rule.max, timeWindow: entry.rule.windowMs, keyGenerator: entry.key, ...(entry.skip ? { allowList: entry.skip } : {}) },
      } as typeof route.config;
    }
  });
  await app.register(rateLimit, {
    global: false,
    store: databaseStore(opts.repo, opts.clock) as never,
    errorResponseBuilder: (_req, ctx) =>
      rateLimited(ctx.ttl),
  });
}
