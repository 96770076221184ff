import type { FastifyInstance } from 'fastify';
import type { Services } from '../composition.ts';

/**
 * Stops a server process gracefully: `/readyz` fails at once (the load balancer stops routing
 * here), Fastify stops accepting connections and finishes the requests in flight, the
 * in-process worker finishes and settles the charges it has claimed (no lease is left to run
 * out), then the database closes.
 */
export async function stopServer(app: FastifyInstance, services: Services): Promise<void> {
  services.lifecycle.shuttingDown = true;
  await closeHttp(app);
  await services.renewals.stop();
  await services.jobs.stop();
  await services.close();
}

/**
 * `app.close()`, plus: keep-alive connections whose request finishes after the close began
 * would stay open until their keep-alive timeout (and hold the close up); each is closed as
 * soon as it is idle.
 */
export async function closeHttp(app: FastifyInstance): Promise<void> {
  const closing = app.close();
  const sweep = setInterval(() => app.server.closeIdleConnections(), 200);
  try {
    await closing;
  } finally {
    clearInterval(sweep);
  }
}
