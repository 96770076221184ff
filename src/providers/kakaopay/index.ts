import { ProviderConfigError } from '../../domain/errors.ts';
import { KakaoPayClient, type KakaoPayLogger } from './kakaopay-client.ts';
import { KakaoPayGateway } from './kakaopay-gateway.ts';
import { KAKAOPAY_PROVIDER } from './kakaopay-mapping.ts';

export { KakaoPayGateway } from './kakaopay-gateway.ts';
export type { KakaoPayLogger } from './kakaopay-client.ts';

/** KakaoPay adapter settings, validated and frozen by `config/load-config`. */
export interface KakaoPayConfig {
  /** Origin: `https://open-api.kakaopay.com` (current), `https://kapi.kakao.com` (legacy), or a sandbox. */
  baseUrl: string;
  /** `'current'`: `/online/v1/payment/*`, SECRET_KEY, JSON. `'legacy'`: `/v1/payment/*`, KakaoAK, form. */
  api: 'current' | 'legacy';
  /** Secret key for the current API (`DEV…` in test). Never logged. */
  secretKey: string;
  /** App admin key for the legacy API. Never logged. */
  adminKey: string;
  /** CID for one-time payments. */
  cid: string;
  /** CID for recurring payments (issues SIDs; used for billing-key charges). */
  subscriptionCid: string;
  /** Optional `cid_secret`, sent with every request. Never logged. */
  cidSecret?: string;
  /** Budget of each HTTP attempt (connect + request + response), ms. 10 000 is a sane default. */
  timeoutMs: number;
  /** How long a tid stays approvable after ready, ms (KakaoPay: about 15 min). */
  tidLifetimeMs: number;
}

export interface KakaoPayDeps {
  logger?: KakaoPayLogger;
}

/**
 * Builds the KakaoPay gateway. Throws `ProviderConfigError` when the key for the chosen API
 * generation is missing or the numbers are not positive.
 */
export function createKakaoPayGateway(config: KakaoPayConfig, deps: KakaoPayDeps = {}): KakaoPayGateway {
  const key = config.api === 'current' ? config.secretKey : config.adminKey;
  const problems = [
    !/^https?:\/\//.test(config.baseUrl) && 'baseUrl must be an http(s) origin',
    !key && `${config.api === 'current' ? 'secretKey' : 'adminKey'} is required for api '${config.api}'`,
    !config.cid && 'cid is required',
    !config.subscriptionCid && 'subscriptionCid is required',
    !(config.timeoutMs > 0) && 'timeoutMs must be positive',
    !(config.tidLifetimeMs > 0) && 'tidLifetimeMs must be positive',
  ].filter((p): p is string => typeof p === 'string');
  if (problems.length > 0) {
    throw new ProviderConfigError(KAKAOPAY_PROVIDER, 'config', `kakaopay config: ${problems.join('; ')}`);
  }
  const client = new KakaoPayClient({
    baseUrl: config.baseUrl,
    api: config.api,
    secretKey: config.secretKey,
    adminKey: config.adminKey,
    cidSecret: config.cidSecret,
    timeoutMs: config.timeoutMs,
    logger: deps.logger,
  });
  return new KakaoPayGateway(client, {
    cid: config.cid,
    subscriptionCid: config.subscriptionCid,
    tidLifetimeMs: config.tidLifetimeMs,
  });
}
