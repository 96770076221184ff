/** NaverPay's browser SDK: load the script the API named, then `Naver.Pay.create(create).open(open)`. */

interface NaverPayInstance {
  open(params: unknown): void;
}
declare global {
  interface Window {
    Naver?: { Pay?: { create(options: unknown): NaverPayInstance } };
  }
}

const loading = new Map<string, Promise<void>>();

function loadScript(src: string): Promise<void> {
  const url = new URL(src, window.location.href);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return Promise.reject(new Error('bad sdk url'));
  let p = loading.get(url.href);
  if (!p) {
    p = new Promise<void>((resolve, reject) => {
      const s = document.createElement('script');
      s.src = url.href;
      s.async = true;
      s.onload = () => resolve();
      s.onerror = () => {
        loading.delete(url.href);
        s.remove();
        reject(new Error('sdk load failed'));
      };
      document.head.appendChild(s);
    });
    loading.set(url.href, p);
  }
  return p;
}

export class CheckoutLaunchError extends Error {}

/** Opens the provider's window described by an SDK-style checkout. */
export async function openSdkCheckout(checkout: Record<string, unknown>): Promise<void> {
  const sdkUrl = checkout.sdkUrl;
  if (typeof sdkUrl !== 'string' || typeof checkout.create !== 'object' || typeof checkout.open !== 'object') {
    throw new CheckoutLaunchError('결제창 정보가 올바르지 않습니다. 잠시 후 다시 시도해 주세요.');
  }
  try {
    await loadScript(sdkUrl);
  } catch {
    throw new CheckoutLaunchError('결제창을 불러오지 못했습니다. 인터넷 연결을 확인하고 다시 시도해 주세요.');
  }
  const pay = window.Naver?.Pay;
  if (!pay || typeof pay.create !== 'function') {
    throw new CheckoutLaunchError('결제창을 불러오지 못했습니다. 잠시 후 다시 시도해 주세요.');
  }
  pay.create(checkout.create).open(checkout.open);
}
