import { z } from 'zod';

/** Every error answer: `{"error": {"code", "message", "details"?}}` (codes: src/domain/errors.ts). */
export const ApiError = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.record(z.string(), z.unknown()).optional() }),
});
export type ApiError = z.infer<typeof ApiError>;
