import type { CheckoutReturnUrls } from '../../../domain/ports.ts';

/**
 * Where a provider sends the browser back for one payment attempt: our return route
 * (`GET /api/payment/{method}/return`, payment-routes.ts), with `outcome` on the cancel and
 * fail variants. Injected into the use cases (`ctx.checkoutUrls`), which know no HTTP paths.
 */
export function checkoutReturnUrls(publicUrl: string, provider: string, paymentId: string): CheckoutReturnUrls {
  const returnUrl = `${publicUrl}/api/payment/${provider}/return?payment_id=${encodeURIComponent(paymentId)}`;
  return { returnUrl, cancelUrl: `${returnUrl}&outcome=cancel`, failUrl: `${returnUrl}&outcome=fail` };
}
