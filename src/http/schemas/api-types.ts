/**
 * Response shapes of the public API. Pure types: the web app imports this file.
 * Money is integer KRW (`*_krw`), times are ISO-8601 strings (`*_at`, dates).
 */
import type { StaffPermissionValue } from './console-schemas.ts';

export interface ApiError {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

// The admin API (/api/admin/*).
export type * from './admin-schemas.ts';

export type * from './console-schemas.ts';
export type * from './operator-action-api-types.ts';
