import { startKakaoPaySandbox } from '../src/simulators/kakaopay/kakaopay-sandbox-app.ts';
import { startNaverPaySandbox } from '../src/simulators/naverpay/main.ts';

// Both sandboxes in their own process, so that they do not share a core with the service.
const latencyMs = Number(process.env.SANDBOX_LATENCY_MS ?? 0);
const kakao = await startKakaoPaySandbox({ port: 0, latencyMs });
const naver = await startNaverPaySandbox({ port: 0, latencyMs });
process.stdout.write(JSON.stringify({ ready: { kakaopay: kakao.url, naverpay: naver.url } }) + '\n');
process.on('SIGTERM', async () => {
  await kakao.close();
  await naver.close();
  process.exit(0);
});
