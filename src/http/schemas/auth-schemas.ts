/**
 * Messages of /api/auth/* and /api/me: one zod schema each, for validation, serialization, the
 * OpenAPI document and (as inferred types, imported type-only) the web app.
 */
import { z } from 'zod';
import { PASSWORD_MAX_LENGTH } from '../../domain/password-rule.ts';
import { ROLES, STAFF_PERMISSIONS } from '../../domain/staff-permissions.ts';

const Email = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.email().max(254));

export const LoginBody = z.object({ email: Email, password: z.string().min(8).max(200) });

/** Sign-up body: the password is judged by the password rule (WEAK_PASSWORD), not by the schema. */
export const SignUpBody = z.object({
  email: Email,
  password: z.string().max(PASSWORD_MAX_LENGTH * 4),
  /** The version id of the 이용약관 shown (GET /api/legal); required. */
  terms_version: z.string().max(64).optional(),
  /** The version id of the 개인정보 수집·이용 text shown; required. */
  privacy_version: z.string().max(64).optional(),
});

export const PasswordResetRequestBody = z.object({ email: Email });

export const PasswordResetConfirmBody = z.object({
  token: z.string().min(1).max(200),
  password: z.string().max(PASSWORD_MAX_LENGTH * 4),
});

export const UserView = z.object({
  id: z.string(),
  email: z.string().nullable(),
  role: z.enum(ROLES),
  /** What the role may do in the operator console (empty for subscribers). */
  permissions: z.array(z.enum(STAFF_PERMISSIONS)),
});
export type UserView = z.infer<typeof UserView>;

export const AuthResponse = z.object({ token: z.string(), expires_at: z.string(), user: UserView });
export type AuthResponse = z.infer<typeof AuthResponse>;

export const MeResponse = z.object({ user: UserView });
export type MeResponse = z.infer<typeof MeResponse>;

export const OkResponse = z.object({ ok: z.literal(true) });

export const PasswordResetResponse = z.object({ ok: z.literal(true), message: z.string() });
export type PasswordResetResponse = z.infer<typeof PasswordResetResponse>;
