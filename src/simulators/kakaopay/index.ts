export {
  buildKakaoPaySandbox,
  startKakaoPaySandbox,
  type KakaoPaySandboxOptions,
  type RunningKakaoPaySandbox,
  type StartKakaoPaySandboxOptions,
} from './kakaopay-sandbox-app.ts';
export {
  DEFAULT_ADMIN_KEY,
  DEFAULT_ONE_TIME_CID,
  DEFAULT_SECRET_KEY,
  DEFAULT_SUBSCRIPTION_CID,
  DEFAULT_TID_TTL_MS,
} from './kakaopay-options.ts';
