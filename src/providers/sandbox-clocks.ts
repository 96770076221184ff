/**
 * Moves the sandboxes' own clocks (`POST {sandbox}/__sandbox/clock {advance_ms}`), so that
 * provider-side expiry (KakaoPay tids, NaverPay approval windows, history search ranges) keeps
 * pace with the service's test clock. Sandbox mode only; a provider that is not a sandbox
 * answers with an error, which is reported, not thrown.
 */
export type SandboxClockLink = (advanceMs: number) => Promise<Record<string, { ok: boolean; now?: number; error?: string }>>;

export function createSandboxClockLink(baseUrls: Record<string, string>, timeoutMs = 5_000): SandboxClockLink {
  return async (advanceMs) => {
    const entries = await Promise.all(
      Object.entries(baseUrls).map(async ([provider, url]) => {
        try {
          const res = await fetch(`${url}/__sandbox/clock`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ advance_ms: advanceMs }),
            signal: AbortSignal.timeout(timeoutMs),
          });
          const body = (await res.json().catch(() => null)) as { now?: number } | null;
          if (!res.ok) return [provider, { ok: false, error: `HTTP ${res.status}` }] as const;
          return [provider, { ok: true, now: body?.now }] as const;
        } catch (err) {
          return [provider, { ok: false, error: err instanceof Error ? err.message : String(err) }] as const;
        }
      }),
    );
    return Object.fromEntries(entries);
  };
}
