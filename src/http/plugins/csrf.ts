import type { FastifyInstance } from 'fastify';
import { AppError } from '../../domain/errors.ts';
import { SESSION_COOKIE, readCookie } from './auth.ts';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const LOOPBACK_HOSTS = ['127.0.0.1', 'localhost', '[::1]'];

/**
 * Our origins: PUBLIC_URL's, the configured extra ones, and, when PUBLIC_URL is a
 * loopback address, the other loopback names of the same port (a developer opening
 * http://localhost:8080 reaches the same server as http://127.0.0.1:8080).
 */
export function ourOrigins(publicUrl: string, extra: readonly string[]): string[] {
  const u = new URL(publicUrl);
  const origins = [u.origin, ...extra];
  if (LOOPBACK_HOSTS.includes(u.hostname)) {
    for (const host of LOOPBACK_HOSTS) origins.push(`${u.protocol}//${host}${u.port ? `:${u.port}` : ''}`);
  }
  return [...new Set(origins)];
}

export interface CsrfOptions {
  /**
   * Origins allowed to make cookie-authenticated state changes: PUBLIC_URL's
   * origin plus CSRF_TRUSTED_ORIGINS. Read per request, because with PORT=0 the
   * public URL is known only after listening.
   */
  allowedOrigins(): readonly string[];
}

/**
 * Refuses cross-origin state changes authenticated by the session cookie.
 *
 * The cookie is SameSite=Lax (the provider's redirect back is a cross-site
 * top-level GET that must carry it), and "same-site" ignores ports and
 * subdomains, so a form on another port of our host would still send it. For
 * unsafe methods that carry our session cookie and no Bearer token, the
 * browser's `Origin` must be one of ours; without `Origin`, `Sec-Fetch-Site`
 * must say same-origin. Anything else: 403 CSRF_REJECTED. Bearer calls are
 * unaffected: a foreign page cannot attach an Authorization header without a
 * CORS preflight, which we never allow.
 */
export function registerCsrfCheck(app: FastifyInstance, opts: CsrfOptions): void {
  app.addHook('onRequest', async (req) => {
    if (SAFE_METHODS.has(req.method)) return;
    if (req.headers.authorization?.startsWith('Bearer ')) return;
    if (readCookie(req.headers.cookie, SESSION_COOKIE) === undefined) return;
    const origin = req.headers.origin;
    if (origin !== undefined) {
      if (opts.allowedOrigins().includes(origin)) return;
    } else if (req.headers['sec-fetch-site'] === 'same-origin') {
      return;
    }
    req.log.warn({ origin: origin ?? null, fetch_site: req.headers['sec-fetch-site'] ?? null, path: req.url.split('?')[0] }, 'cross-origin request refused');
    throw new AppError('CSRF_REJECTED', '다른 사이트에서 보낸 요청은 처리할 수 없습니다. 페이지를 새로 고친 뒤 다시 시도해 주세요.', {
      origin: origin ?? null,
    });
  });
}
