import type { Clock, GatewayRegistry, PaymentGateway } from '../domain/ports.ts';
import type { AppConfig } from '../config/load-config.ts';
import { createKakaoPayGateway } from './kakaopay/index.ts';
import { createNaverPayGateway } from './naverpay/index.ts';

export interface ProviderLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/**
 * The providers on offer, keyed by the `{method}` path segment. Adding a
 * provider means adding its folder and one entry here.
 */
const FACTORIES: Record<string, (config: AppConfig, logger: ProviderLogger, clock: Clock) => PaymentGateway> = {
  kakaopay: (c, logger) =>
    createKakaoPayGateway(
      {
        baseUrl: c.kakaopay.baseUrl,
        api: c.kakaopay.api,
        secretKey: c.kakaopay.secretKey.reveal(),
        adminKey: c.kakaopay.adminKey.reveal(),
        cid: c.kakaopay.cid,
        subscriptionCid: c.kakaopay.subscriptionCid,
        cidSecret: c.kakaopay.cidSecret?.reveal(),
        timeoutMs: c.kakaopay.timeoutMs,
        tidLifetimeMs: c.kakaopay.tidLifetimeMs,
      },
      { logger },
    ),
  naverpay: (c, logger, clock) =>
    createNaverPayGateway(
      {
        baseUrl: c.naverpay.baseUrl,
        partnerId: c.naverpay.partnerId,
        clientId: c.naverpay.clientId,
        clientSecret: c.naverpay.clientSecret,
        chainId: c.naverpay.chainId,
        recurrentChainId: c.naverpay.recurrentChainId,
        mode: c.naverpay.mode,
        checkoutFlow: c.naverpay.checkoutFlow,
        sdkUrl: c.naverpay.sdkUrl,
        pageBaseUrl: c.naverpay.pageBaseUrl,
        mobilePageBaseUrl: c.naverpay.mobilePageBaseUrl,
        productCode: c.naverpay.productCode,
        timeoutMs: c.naverpay.timeoutMs,
        approveTimeoutMs: c.naverpay.approveTimeoutMs,
      },
      { logger, clock },
    ),
};

export function createGatewayRegistry(config: AppConfig, logger: ProviderLogger, clock: Clock, only?: string[]): GatewayRegistry {
  const map = new Map<string, PaymentGateway>();
  for (const [id, factory] of Object.entries(FACTORIES)) {
    if (only && !only.includes(id)) continue;
    map.set(id, factory(config, logger, clock));
  }
  return {
    // Own-property lookup only: "__proto__" or "constructor" are not methods.
    get: (method) => (map.has(method) ? map.get(method) : undefined),
    list: () => [...map.values()],
  };
}
