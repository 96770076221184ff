/** The business identity and consent versions (GET /api/legal), asked once per page load. */
import { useEffect, useState } from 'react';
import { api, type LegalResponse } from './api.ts';

let cached: Promise<LegalResponse> | null = null;

export function loadLegal(): Promise<LegalResponse> {
  cached ??= api.legal().catch((err: unknown) => {
    cached = null;
    throw err;
  });
  return cached;
}

/** null while loading or when the request failed (callers show what they can without it). */
export function useLegal(): LegalResponse | null {
  const [value, setValue] = useState<LegalResponse | null>(null);
  useEffect(() => {
    let live = true;
    loadLegal().then(
      (v) => live && setValue(v),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, []);
  return value;
}
