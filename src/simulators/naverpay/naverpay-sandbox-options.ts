/**
 * Options of the NaverPay sandbox. Every field is optional; `resolveSandboxOptions`
 * fills the defaults. Choices the spec leaves open ([I]) are exposed here when cheap.
 */
export interface NaverPaySandboxOptions {
  /** Base clock in ms since epoch. The control clock offset is added on top. Default `Date.now`. */
  now?: () => number;
  /** Time between authorisation on the hosted page and the last allowed approve (ms). Default 10 min. */
  approvalWindowMs?: number;
  /** Lifetime of a hosted-page session before it returns `paymentTimeExpire` (ms). Default 30 min. */
  pageSessionTtlMs?: number;
  /** Added before every wire (partner API) response, ms. Default 0. */
  latencyMs?: number;
  /** Accepted `{partnerId}` path segments. Default `['naverpay-partner']`. */
  partnerIds?: string[];
  /** Expected `X-Naver-Client-Id`. Default `'sandbox-client-id'`. */
  clientId?: string;
  /** Expected `X-Naver-Client-Secret`. Default `'sandbox-client-secret'`. */
  clientSecret?: string;
  /** Accepted `X-NaverPay-Chain-Id` values. Default `['sandbox-chain-id', 'sandbox-recurrent-chain-id']`. */
  chainIds?: string[];
  /** A missing `X-NaverPay-Chain-Id` is answered with HTTP 401 when true. Default true. */
  requireChainId?: boolean;
  /** Chain id of the one-time contract (reserve, apply). Default `'sandbox-chain-id'`. */
  onetimeChainId?: string;
  /** Chain id of the recurrent contract (`recurrent/...`). Default `'sandbox-recurrent-chain-id'`. */
  recurrentChainId?: string;
  /**
   * The chain id of the other product (one-time vs recurrent) answers `InvalidMerchant` (spec §6.2).
   * Default true; false accepts any id of `chainIds` on every route.
   */
  chainPerProduct?: boolean;
  /**
   * `settleExpected` in an approval's detail. The documented sample answers false right after
   * approval (the settlement is not computed yet). Default false. [I]
   */
  settleExpectedOnApproval?: boolean;
  /** Base URL used in links the sandbox hands out; derived from the request Host when unset. */
  publicBaseUrl?: string;
  /** Fastify logger switch. Default false. */
  logger?: boolean;
  /** How long a stored idempotent response is replayed (ms). Default 24 h. [I] */
  idempotencyTtlMs?: number;
  /** A cancel stays "not yet reflected" for this long (history hides it, next cancel gets
   *  `PreCancelNotComplete`). Default 0 (immediate). [O realism, I duration] */
  cancelPendingMs?: number;
  /** Cancels later than this after approval get `CancelDeadlineExpired`. Default: no deadline. [I] */
  cancelDeadlineMs?: number;
  /** Commission in basis points used for `payCommissionAmount` and `settleInfo`. Default 290 (2.9%). [I] */
  commissionBps?: number;
  /** SDK `open()` / `v2/reserve` require `productItems` and `productCount` when true. Default false. [S] */
  requireProductItems?: boolean;
  /** Code returned when charging an unknown or expired recurrentId. Default `'Fail'`. [I] */
  invalidRecurrentCode?: string;
  /** Reject a second VALID registration of the same merchant user + productCode. Default true. [I] */
  rejectDuplicateRecurrent?: boolean;
  /** Magic amounts (see README) drive approve outcomes. Default true. */
  magicAmounts?: boolean;
  /** `merchantName` in approval details and history. */
  merchantName?: string;
}

export interface ResolvedSandboxOptions {
  baseNow: () => number;
  approvalWindowMs: number;
  pageSessionTtlMs: number;
  latencyMs: number;
  partnerIds: ReadonlySet<string>;
  clientId: string;
  clientSecret: string;
  chainIds: ReadonlySet<string>;
  requireChainId: boolean;
  onetimeChainId: string;
  recurrentChainId: string;
  chainPerProduct: boolean;
  settleExpectedOnApproval: boolean;
  publicBaseUrl: string | undefined;
  logger: boolean;
  idempotencyTtlMs: number;
  cancelPendingMs: number;
  cancelDeadlineMs: number | undefined;
  commissionBps: number;
  requireProductItems: boolean;
  invalidRecurrentCode: string;
  rejectDuplicateRecurrent: boolean;
  magicAmounts: boolean;
  merchantName: string;
}

export const DEFAULT_PARTNER_ID = 'naverpay-partner';
export const DEFAULT_CLIENT_ID = 'sandbox-client-id';
export const DEFAULT_CLIENT_SECRET = 'sandbox-client-secret';
export const DEFAULT_CHAIN_IDS = ['sandbox-chain-id', 'sandbox-recurrent-chain-id'] as const;

export function resolveSandboxOptions(options: NaverPaySandboxOptions = {}): ResolvedSandboxOptions {
  return {
    baseNow: options.now ?? Date.now,
    approvalWindowMs: options.approvalWindowMs ?? 10 * 60_000,
    pageSessionTtlMs: options.pageSessionTtlMs ?? 30 * 60_000,
    latencyMs: options.latencyMs ?? 0,
    partnerIds: new Set(options.partnerIds ?? [DEFAULT_PARTNER_ID]),
    clientId: options.clientId ?? DEFAULT_CLIENT_ID,
    clientSecret: options.clientSecret ?? DEFAULT_CLIENT_SECRET,
    chainIds: new Set(options.chainIds ?? [options.onetimeChainId ?? DEFAULT_CHAIN_IDS[0], options.recurrentChainId ?? DEFAULT_CHAIN_IDS[1]]),
    requireChainId: options.requireChainId ?? true,
    onetimeChainId: options.onetimeChainId ?? DEFAULT_CHAIN_IDS[0],
    recurrentChainId: options.recurrentChainId ?? DEFAULT_CHAIN_IDS[1],
    chainPerProduct: options.chainPerProduct ?? true,
    settleExpectedOnApproval: options.settleExpectedOnApproval ?? false,
    publicBaseUrl: options.publicBaseUrl?.replace(/\/+$/, ''),
    logger: options.logger ?? false,
    idempotencyTtlMs: options.idempotencyTtlMs ?? 24 * 60 * 60_000,
    cancelPendingMs: options.cancelPendingMs ?? 0,
    cancelDeadlineMs: options.cancelDeadlineMs,
    commissionBps: options.commissionBps ?? 290,
    requireProductItems: options.requireProductItems ?? false,
    invalidRecurrentCode: options.invalidRecurrentCode ?? 'Fail',
    rejectDuplicateRecurrent: options.rejectDuplicateRecurrent ?? true,
    magicAmounts: options.magicAmounts ?? true,
    merchantName: options.merchantName ?? '샌드박스 가맹점',
  };
}
