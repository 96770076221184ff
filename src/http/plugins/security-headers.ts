import type { FastifyInstance } from 'fastify';
import helmet, { type HelmetOptions } from 'helmet';

export interface SecurityHeadersOptions {
  /** PUBLIC_URL is https: send HSTS and upgrade-insecure-requests. */
  https: boolean;
  /** Where the NaverPay SDK script comes from (NAVERPAY_SDK_URL). */
  naverpaySdkUrl: string;
  /** NaverPay's pages (the SDK posts a form there, or opens them in a frame/popup). */
  naverpayPageUrls: readonly string[];
}

type Directives = Record<string, string[]>;

const origin = (url: string) => new URL(url).origin;
const unique = (xs: string[]) => [...new Set(xs)];

/** The web app (web/dist): our own scripts, styles and API, plus the NaverPay SDK. */
function pageDirectives(o: SecurityHeadersOptions): Directives {
  const naverpay = unique([origin(o.naverpaySdkUrl), ...o.naverpayPageUrls.map(origin)]);
  return {
    'default-src': ["'self'"],
    'script-src': ["'self'", origin(o.naverpaySdkUrl)],
    'style-src': ["'self'"],
    'img-src': ["'self'", 'data:'],
    'font-src': ["'self'", 'data:'],
    'connect-src': ["'self'", ...naverpay],
    'form-action': ["'self'", ...naverpay],
    'frame-src': naverpay,
    'frame-ancestors': ["'none'"],
    'object-src': ["'none'"],
    'base-uri': ["'self'"],
    ...(o.https ? { 'upgrade-insecure-requests': [] } : {}),
  };
}

/** JSON and redirects: nothing to load, nothing to frame. */
const API_DIRECTIVES: Directives = { 'default-src': ["'none'"], 'frame-ancestors': ["'none'"], 'base-uri': ["'none'"] };

/** Swagger UI sets inline styles; its scripts are files of its own. */
function docsDirectives(o: SecurityHeadersOptions): Directives {
  return {
    'default-src': ["'self'"],
    'script-src': ["'self'"],
    'style-src': ["'self'", "'unsafe-inline'"],
    'img-src': ["'self'", 'data:'],
    'font-src': ["'self'", 'data:'],
    'connect-src': ["'self'"],
    'form-action': ["'self'"],
    'frame-ancestors': ["'none'"],
    'object-src': ["'none'"],
    'base-uri': ["'self'"],
    ...(o.https ? { 'upgrade-insecure-requests': [] } : {}),
  };
}

const csp = (directives: Directives) => ({ contentSecurityPolicy: { useDefaults: false, directives } });

type Area = 'page' | 'api' | 'docs';

function areaOf(url: string): Area {
  return url.startsWith('/api/') ? 'api' : url === '/docs' || url.startsWith('/docs/') ? 'docs' : 'page';
}

function helmetError(err?: unknown): void {
  if (err) throw err;
}

/**
 * Security headers on every response (helmet): a Content-Security-Policy
 * per area (pages, /api, /docs), X-Frame-Options DENY, nosniff, a Referrer-Policy
 * that sends only our origin to other sites (our URLs carry payment ids), HSTS
 * when served over https, and `Cache-Control: no-store` on /api. Register before
 * the routes (the per-area policy is attached when a route is added).
 */
export async function registerSecurityHeaders(app: FastifyInstance, o: SecurityHeadersOptions): Promise<void> {
  const common: HelmetOptions = {
    // The NaverPay SDK may open its window as a popup that reports back to this page.
    crossOriginOpenerPolicy: { policy: 'same-origin-allow-popups' },
    referrerPolicy: { policy: 'strict-origin-when-cross-origin' },
    xFrameOptions: { action: 'deny' },
    strictTransportSecurity: o.https ? { maxAge: 180 * 24 * 3600, includeSubDomains: false } : false,
  };
  // helmet builds each area's middleware once (parsing its policy); @fastify/helmet built it again
  // on every request, which was a few percent of a cached entitlement read.
  const byArea: Record<Area, ReturnType<typeof helmet>> = {
    page: helmet({ ...common, ...csp(pageDirectives(o)) }),
    api: helmet({ ...common, ...csp(API_DIRECTIVES) }),
    docs: helmet({ ...common, ...csp(docsDirectives(o)) }),
  };
  app.addHook('onRequest', (req, reply, next) => {
    // The route's pattern when one matched, else the path (404s get the page policy, or the API's under /api/).
    const area = areaOf(req.routeOptions.url ?? req.url);
    byArea[area](req.raw, reply.raw, helmetError);
    if (area === 'api') reply.header('cache-control', 'no-store');
    next();
  });
}
