/**
 * NaverPay adapter factory. The adapter speaks the wire format of shared/specs/naverpay.md and
 * works unchanged against the real hosts and the local sandbox (only the URLs differ).
 */
import type { Dispatcher } from 'undici';
import type { Clock, PaymentGateway } from '../../domain/ports.ts';
import { NaverPayClient, type NaverPayLogger, type SecretValue } from './naverpay-client.ts';
import { NaverPayGateway } from './naverpay-gateway.ts';

export { NaverPayGateway } from './naverpay-gateway.ts';
export type { NaverPayLogger, SecretValue } from './naverpay-client.ts';

/**
 * NaverPay merchant configuration. Optional fields default as documented, by `mode` where the
 * real service has separate dev/prod hosts.
 */
export interface NaverPayConfig {
  /** API host. Default dev `https://dev-pay.paygate.naver.com`, prod `https://pay.paygate.naver.com`. */
  baseUrl?: string;
  /** `{partnerId}` path segment, e.g. `naverpay-partner` in dev. */
  partnerId: string;
  clientId: string;
  /** Server-side only; sent as `X-Naver-Client-Secret` and never logged. A `Secret` (`reveal()`) or a string. */
  clientSecret: string | SecretValue;
  /** Chain id of the one-time contract. */
  chainId: string;
  /** Chain id of the recurrent contract (may equal `chainId`). */
  recurrentChainId: string;
  /** SDK `mode`; also picks the default hosts. */
  mode: 'development' | 'production';
  /** One-time checkout: browser SDK without a server call (default) or server `v2/reserve` + redirect. */
  checkoutFlow?: 'sdk' | 'reserve';
  /** Default `https://nsp.pay.naver.com/sdk/js/naverpay.min.js` (same for both modes). */
  sdkUrl?: string;
  /** Hosted PC page base. Default dev `https://test-pay.naver.com`, prod `https://pay.naver.com`. */
  pageBaseUrl?: string;
  /** Hosted mobile page base. Default dev `https://test-m.pay.naver.com`, prod `https://m.pay.naver.com`. */
  mobilePageBaseUrl?: string;
  /** `productCode` of recurrent registrations. */
  productCode: string;
  /** Product name of the first recurrent charge made by `approveCheckout`. Default `'정기결제'`. */
  recurrentProductName?: string;
  /** Per-attempt timeout of reserve / history / expire calls, ms. Default 10 000. */
  timeoutMs?: number;
  /** Per-attempt timeout of approvals and cancels, ms. Default 60 000 (spec §2.7). */
  approveTimeoutMs?: number;
  /** Retries (same idempotency key) after timeouts, connection errors, 5xx and 429. Default 2. */
  maxRetries?: number;
  /** First retry backoff, ms, doubled per retry. Default 300. */
  retryBackoffMs?: number;
  /** Window `getPayment` searches by our order key when it lacks a NaverPay paymentId. Default 3 days (max 31). */
  historyLookbackMs?: number;
}

export interface NaverPayDeps {
  logger?: NaverPayLogger;
  /** Used only where NaverPay omits a timestamp and for history search windows. Default: system time. */
  clock?: Clock;
  /** undici dispatcher (connection pool) for the API calls. */
  dispatcher?: Dispatcher;
}

const HOSTS = {
  development: {
    api: 'https://dev-pay.paygate.naver.com',
    page: 'https://test-pay.naver.com',
    mobilePage: 'https://test-m.pay.naver.com',
  },
  production: {
    api: 'https://pay.paygate.naver.com',
    page: 'https://pay.naver.com',
    mobilePage: 'https://m.pay.naver.com',
  },
} as const;

export const NAVERPAY_SDK_URL = 'https://nsp.pay.naver.com/sdk/js/naverpay.min.js';

const systemClock: Clock = { now: () => new Date() };

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

/** Builds the NaverPay `PaymentGateway`. */
export function createNaverPayGateway(config: NaverPayConfig, deps: NaverPayDeps = {}): PaymentGateway {
  const hosts = HOSTS[config.mode];
  const client = new NaverPayClient({
    baseUrl: trimSlash(config.baseUrl ?? hosts.api),
    partnerId: config.partnerId,
    clientId: config.clientId,
    clientSecret: config.clientSecret,
    chainId: config.chainId,
    recurrentChainId: config.recurrentChainId,
    timeoutMs: config.timeoutMs ?? 10_000,
    approveTimeoutMs: config.approveTimeoutMs ?? 60_000,
    maxRetries: config.maxRetries ?? 2,
    retryBackoffMs: config.retryBackoffMs ?? 300,
    logger: deps.logger,
    dispatcher: deps.dispatcher,
  });
  return new NaverPayGateway(
    client,
    {
      mode: config.mode,
      checkoutFlow: config.checkoutFlow ?? 'sdk',
      clientId: config.clientId,
      chainId: config.chainId,
      sdkUrl: config.sdkUrl ?? NAVERPAY_SDK_URL,
      pageBaseUrl: trimSlash(config.pageBaseUrl ?? hosts.page),
      mobilePageBaseUrl: trimSlash(config.mobilePageBaseUrl ?? hosts.mobilePage),
      productCode: config.productCode,
      recurrentProductName: config.recurrentProductName ?? '정기결제',
      historyLookbackMs: config.historyLookbackMs ?? 3 * 24 * 60 * 60_000,
    },
    { clock: deps.clock ?? systemClock, logger: deps.logger },
  );
}
