import type { ResponseSpec } from '../http/route';
import { problemSchema } from '../schemas/common.schema';

export function ok(
  schema: ResponseSpec['schema'],
  description: string,
  extra: Partial<ResponseSpec> = {},
): ResponseSpec {
  return { status: 200, description, schema, ...extra };
}

export function created(schema: ResponseSpec['schema'], description: string): ResponseSpec {
  return { status: 201, description, schema, etag: true, location: true };
}

export function problem(status: number, description: string): ResponseSpec {
  return { status, description, schema: problemSchema, contentType: 'application/problem+json' };
}
