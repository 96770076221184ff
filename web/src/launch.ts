/** Sends the browser to a provider's checkout described by the API (`/ready`, plan change, resume). */
import type { CheckoutLaunch } from './api.ts';
import { openSdkCheckout } from './sdk.ts';

export function isMobileBrowser(): boolean {
  if (/Android|iPhone|iPad|iPod|Mobile/i.test(navigator.userAgent)) return true;
  return window.matchMedia('(pointer: coarse) and (max-width: 768px)').matches;
}

/** Redirect-style checkouts leave the page; SDK-style ones open the provider's window. */
export async function launchCheckout(c: CheckoutLaunch): Promise<void> {
  if (c.style === 'redirect') {
    window.location.assign(isMobileBrowser() && c.mobile_redirect_url ? c.mobile_redirect_url : c.redirect_url);
  } else {
    await openSdkCheckout(c);
  }
}
