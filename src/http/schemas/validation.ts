import { z } from 'zod';

/** Parses with zod; a failure becomes a 400 VALIDATION_FAILED through the error handler. */
export function parseWith<T extends z.ZodType>(schema: T, data: unknown): z.infer<T> {
  return schema.parse(data ?? {});
}

/** JSON Schema for the OpenAPI document (validation itself is done by zod in the handler). */
export function docSchema(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
}
