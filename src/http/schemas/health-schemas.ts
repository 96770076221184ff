/** Answers of the probes /livez and /readyz (/healthz): hidden from the OpenAPI document. */
import { z } from 'zod';

export const LivenessResponse = z.object({ ok: z.literal(true) });

/** One check of readiness: `ok`, and what it found (error text, heartbeat age, pending migrations). */
const ReadinessCheck = z.looseObject({ ok: z.boolean() });

export const ReadinessResponse = z.object({ ok: z.boolean(), checks: z.record(z.string(), ReadinessCheck) });
export type ReadinessResponse = z.infer<typeof ReadinessResponse>;
