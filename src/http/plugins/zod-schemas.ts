import type { FastifyInstance, FastifySchemaCompiler, FastifySerializerCompiler } from 'fastify';
import type { SwaggerTransform } from '@fastify/swagger';
import { createJsonSchemaTransform, hasZodFastifySchemaValidationErrors, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { $ZodType } from 'zod/v4/core';

/**
 * One zod schema per message (src/http/schemas/): a route declares its `body`, `querystring`,
 * `params` (and `headers`, documented only) and `response` as zod schemas, and the same schema
 * validates the request, serializes the answer and writes the OpenAPI document (/docs).
 */
export function registerZodSchemas(app: FastifyInstance): void {
  app.setValidatorCompiler(zodValidator);
  app.setSerializerCompiler(serializerCompiler);
}

/**
 * A route's `serializerCompiler` for hot paths (the trading engine's /api/v1): the zod response
 * schema documents the answer and types the handler, but the answer is written with plain
 * JSON.stringify, without encoding it through zod per request (bulk answers hold up to 500 views).
 */
export const plainJsonSerializer: FastifySerializerCompiler<unknown> = () => (data) => JSON.stringify(data);

const isZod = (s: unknown): s is $ZodType => s instanceof $ZodType;

const zodValidator: FastifySchemaCompiler<unknown> = (route) => {
  const { schema, httpPart } = route;
  // Every route of ours declares zod schemas (test/architecture.test.ts); a plain JSON schema from a
  // plugin's own routes is left to document only.
  if (!isZod(schema)) return (data) => ({ value: data });
  const validate = validatorCompiler({ ...route, schema });
  // Header schemas document what a route reads (Idempotency-Key, checked by the idempotency
  // plugin); they must not replace `request.headers` with the parsed copy.
  if (httpPart === 'headers') {
    return (data) => {
      const r = validate(data) as { error?: Error };
      return r.error ? { error: r.error } : true;
    };
  }
  // A request without a body (a JSON `null`, or the empty text body an HTML form or a bodiless
  // fetch sends) is validated as `{}`, as the handlers did before.
  if (httpPart === 'body') return (data) => validate(data === undefined || data === null || data === '' ? {} : data);
  return validate;
};

const toOpenApi = createJsonSchemaTransform({ zodToJsonConfig: { unrepresentable: 'any' } });

/** @fastify/swagger's `transform`: zod schemas become JSON Schema; other routes pass unchanged. */
export const openApiTransform: SwaggerTransform = (doc) => {
  const { body, querystring, params, headers } = (doc.schema ?? {}) as Record<string, unknown>;
  const parts = [body, querystring, params, headers].filter((p) => p !== undefined);
  if (parts.some((p) => !isZod(p))) return { schema: doc.schema, url: doc.url };
  return toOpenApi(doc as Parameters<typeof toOpenApi>[0]);
};

/** The issues of a failed request validation, in the shape the handlers' own parsing gave. */
export function validationIssues(err: unknown): { path: string; message: string }[] | null {
  if (!hasZodFastifySchemaValidationErrors(err)) return null;
  return err.validation.map((v) => ({ path: v.instancePath.replace(/^\//, '').replaceAll('/', '.'), message: v.message ?? '' }));
}
