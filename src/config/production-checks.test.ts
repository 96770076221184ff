import { describe, expect, it } from 'vitest';
import { BUSINESS_IDENTITY_VARIABLES, businessIdentityProblems, smtpProblems } from './production-checks.ts';

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

describe('businessIdentityProblems (the footer of every page, 전자상거래법 제10조)', () => {
  const IDENTITY = {
    BUSINESS_NAME: '주식회사 쇼미더스탁',
    BUSINESS_REPRESENTATIVE: '김대표',
    BUSINESS_REGISTRATION_NUMBER: '123-45-67890',
    MAIL_ORDER_REPORT_NUMBER: '제2026-서울강남-01234호',
    BUSINESS_ADDRESS: '서울특별시 강남구 테헤란로 1',
    BUSINESS_PHONE: '02-1234-5678',
    BUSINESS_EMAIL: 'help@example.com',
  };

  it('local mode uses the placeholders', () => {
    expect(businessIdentityProblems({ APP_ENV: 'local' })).toEqual([]);
  });

  it('production refuses each missing item by name, and the all-zero registration number', () => {
    expect(businessIdentityProblems(IDENTITY)).toEqual([]);
    const all = businessIdentityProblems({});
    expect(all).toHaveLength(Object.keys(BUSINESS_IDENTITY_VARIABLES).length);
    for (const name of Object.keys(BUSINESS_IDENTITY_VARIABLES)) {
      const { [name as keyof typeof IDENTITY]: _gone, ...rest } = IDENTITY;
      expect(businessIdentityProblems({ APP_ENV: 'production', ...rest })).toEqual([expect.stringMatching(new RegExp(`^${name}: required`))]);
    }
    expect(businessIdentityProblems({ ...IDENTITY, BUSINESS_REGISTRATION_NUMBER: '000-00-00000' })[0]).toMatch(/placeholder/);
  });
});
