import type { PaymentGateway } from '../domain/ports.ts';
import type { GatewayRegistry } from '../use-cases/context.ts';
import type { AppConfig } from '../config/load-config.ts';
import { createKakaoPayGateway } from './kakaopay/index.ts';

export interface ProviderLogger {
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/**
 * The providers on offer, keyed by the `{method}` path segment. Adding a
 * provider means adding its folder and one entry here.
 */
const FACTORIES: Record<string, (config: AppConfig, logger: ProviderLogger) => PaymentGateway> = {
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
};

export function createGatewayRegistry(config: AppConfig, logger: ProviderLogger, only?: string[]): GatewayRegistry {
  const map = new Map<string, PaymentGateway>();
  for (const [id, factory] of Object.entries(FACTORIES)) {
    if (only && !only.includes(id)) continue;
    map.set(id, factory(config, logger));
  }
  return {
    // Own-property lookup only: "__proto__" or "constructor" are not methods.
    get: (method) => (map.has(method) ? map.get(method) : undefined),
    list: () => [...map.values()],
  };
}
