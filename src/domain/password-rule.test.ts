import { describe, expect, it } from 'vitest';
import { checkNewPassword } from './password-rule.ts';

const reason = (p: string, email = 'someone@example.com') => checkNewPassword(p, email)?.reason ?? null;

describe('sign-up password rule', () => {
  it('refuses blank, control characters, short, long, e-mail, repeated and common passwords', () => {
    expect(reason('')).toBe('blank');
    expect(reason(' \t\u3000 ')).toBe('blank');
    expect(reason('valid but\u0000nul')).toBe('control_character');
    expect(reason('tab\there ok')).toBe('control_character');
    expect(reason('7chars!')).toBe('too_short');
    expect(reason('가나다라마바사')).toBe('too_short'); // 7 characters, 21 bytes
    expect(reason('x'.repeat(199) + 'yz')).toBe('too_long');
    expect(reason('someone-secret-1', 'someone@example.com')).toBe('contains_email');
    expect(reason('abababababab')).toBe('too_simple');
    for (const p of ['password', 'PASSWORD1', 'qwer1234', 'Dragon2024!', 'iloveyou!!', '1q2w3e4r', 'tkfkdgo12']) expect(reason(p)).toBe('common');
  });

  it('accepts passphrases and mixed passwords, with Korean messages for refusals', () => {
    for (const p of ['correct horse battery', 'another password', '가나다라마바사아', 'Zk3!vQ9#wL']) expect(reason(p)).toBeNull();
    expect(checkNewPassword('short', 'a@b.c')!.message).toBe('비밀번호는 8자 이상이어야 합니다.');
  });
});
