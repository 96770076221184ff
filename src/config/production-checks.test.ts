import { describe, expect, it } from 'vitest';
import { smtpProblems } from './production-checks.ts';

const FROM = 'ShowMeTheStock <no-reply@showmethestock.co.kr>';

describe('smtpProblems (production start-up check)', () => {
  it('local mode needs no SMTP', () => {
    expect(smtpProblems({ APP_ENV: 'local' })).toEqual([]);
  });

  it('outside local mode (production is the default) SMTP_URL and a real NOTICE_FROM are required', () => {
    expect(smtpProblems({})).toEqual([expect.stringMatching(/^SMTP_URL: required/), expect.stringMatching(/^NOTICE_FROM/)]);
    expect(smtpProblems({ APP_ENV: 'production', NOTICE_FROM: FROM })).toEqual([expect.stringMatching(/^SMTP_URL: required/)]);
    expect(smtpProblems({ APP_ENV: 'production', SMTP_URL: '   ', NOTICE_FROM: FROM })).toHaveLength(1);
  });

  it('accepts STARTTLS and TLS URLs and a real sender', () => {
    expect(smtpProblems({ SMTP_URL: 'smtp://user:pw@smtp.example.com:587', NOTICE_FROM: FROM })).toEqual([]);
    expect(smtpProblems({ SMTP_URL: 'smtps://user:pw@smtp.example.com', NOTICE_FROM: FROM })).toEqual([]);
    expect(smtpProblems({ SMTP_URL: 'smtp://127.0.0.1:25', NOTICE_FROM: FROM })).toEqual([]);
  });

  it('refuses other schemes, a user without password, port 25 off-host and the placeholder sender', () => {
    expect(smtpProblems({ SMTP_URL: 'http://smtp.example.com', NOTICE_FROM: FROM })[0]).toMatch(/smtp:\/\/ or smtps:\/\//);
    expect(smtpProblems({ SMTP_URL: 'smtp://user@smtp.example.com:587', NOTICE_FROM: FROM })[0]).toMatch(/without a password/);
    expect(smtpProblems({ SMTP_URL: 'smtp://u:p@smtp.example.com:25', NOTICE_FROM: FROM })[0]).toMatch(/port 25/);
    expect(smtpProblems({ SMTP_URL: 'smtp://u:p@smtp.example.com:587', NOTICE_FROM: 'ShowMeTheStock <no-reply@showmethestock.local>' })[0]).toMatch(/^NOTICE_FROM/);
  });
});
