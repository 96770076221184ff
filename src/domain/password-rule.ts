import { COMMON_PASSWORDS } from './common-passwords.ts';

/** Why a sign-up password was refused; sent as `details.reason` with WEAK_PASSWORD. */
export type WeakPasswordReason = 'blank' | 'control_character' | 'too_short' | 'too_long' | 'contains_email' | 'too_simple' | 'common';

export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 200;

const MESSAGES: Record<WeakPasswordReason, string> = {
  blank: '비밀번호를 입력해 주세요. 공백만으로는 만들 수 없습니다.',
  control_character: '비밀번호에 사용할 수 없는 문자(제어 문자)가 들어 있습니다.',
  too_short: `비밀번호는 ${PASSWORD_MIN_LENGTH}자 이상이어야 합니다.`,
  too_long: `비밀번호는 ${PASSWORD_MAX_LENGTH}자 이하여야 합니다.`,
  contains_email: '비밀번호에 이메일 주소를 넣을 수 없습니다.',
  too_simple: '같은 문자를 반복한 비밀번호는 사용할 수 없습니다. 여러 문자를 섞어 주세요.',
  common: '너무 흔한 비밀번호입니다. 다른 사람이 짐작하기 어려운 비밀번호를 사용해 주세요.',
};

const COMMON = new Set(COMMON_PASSWORDS.map((p) => p.toLowerCase()));

/**
 * The minimum password rule at sign-up (log-in never applies it: older
 * passwords keep working). Returns null when acceptable, else the reason and
 * its Korean message. Length counts characters (code points), not bytes.
 */
export function checkNewPassword(password: string, email: string): { reason: WeakPasswordReason; message: string } | null {
  const reason = reasonOf(password, email);
  return reason ? { reason, message: MESSAGES[reason] } : null;
}

function reasonOf(password: string, email: string): WeakPasswordReason | null {
  if (password.trim() === '') return 'blank';
  // NUL and other control characters: invisible, and truncated by some tools.
  if (/[\u0000-\u001f\u007f]/.test(password)) return 'control_character';
  const chars = [...password];
  if (chars.length < PASSWORD_MIN_LENGTH) return 'too_short';
  if (chars.length > PASSWORD_MAX_LENGTH) return 'too_long';
  const lower = password.toLowerCase();
  const e = email.trim().toLowerCase();
  const local = e.split('@')[0] ?? '';
  if ((e && lower.includes(e)) || (local.length >= 4 && lower.includes(local))) return 'contains_email';
  if (new Set(chars).size < 3) return 'too_simple';
  // Common passwords, also with trailing digits/punctuation added or removed ("password1!").
  const core = lower.replace(/[\s\d!@#$%^&*.?_~-]+$/, '');
  if (COMMON.has(lower) || COMMON.has(lower.replace(/\s+/g, '')) || (core.length >= 4 && COMMON.has(core))) return 'common';
  return null;
}
