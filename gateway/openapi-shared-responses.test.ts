// The document tells a client everything it can get and everything it may send: every operation
// lists the statuses shared middleware gives it, and every string a request carries is under the
// one text rule (or a stricter format), so a route added later cannot forget either.
import { describe, expect, it } from 'vitest';
import { buildGatewayOpenApiDocument } from './openapi-build.ts';

interface Schema {
  $ref?: string;
  type?: string | string[];
  pattern?: string;
  format?: string;
  enum?: unknown[];
  const?: unknown;
  properties?: Record<string, Schema>;
  items?: Schema;
  additionalProperties?: Schema | boolean;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
}

interface Operation {
  security?: unknown[];
  parameters?: { name: string; in: string; schema: Schema }[];
  requestBody?: { content: Record<string, { schema: Schema }> };
  responses: Record<string, unknown>;
}

const document = JSON.parse(await buildGatewayOpenApiDocument()) as {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
};
const operations = Object.entries(document.paths).flatMap(([path, item]) =>
  Object.entries(item).map(([method, operation]) => ({
    name: `${method.toUpperCase()} ${path}`,
    method,
    operation,
  })),
);

function expectedStatuses(method: string, signed: boolean): string[] {
  return [
    '400',
    '408',
    '431',
    '500',
    ...(signed ? ['401', '403', '503'] : []),
    ...(method === 'post' ? ['409', '413', '415', '422'] : []),
  ];
}

/** Where a string that may carry a NUL is allowed in `schema`; empty when every string is guarded. */
function unguardedStrings(schema: Schema, at: string, seen = new Set<string>()): string[] {
  if (schema.$ref) {
    if (seen.has(schema.$ref)) return [];
    seen.add(schema.$ref);
    const target = document.components.schemas[schema.$ref.replace('#/components/schemas/', '')];
    return target ? unguardedStrings(target, at, seen) : [`${at} (${schema.$ref} missing)`];
  }
  const nested = [
    ...Object.entries(schema.properties ?? {}).flatMap(([name, property]) =>
      unguardedStrings(property, `${at}.${name}`, seen),
    ),
    ...(schema.items ? unguardedStrings(schema.items, `${at}[]`, seen) : []),
    ...(typeof schema.additionalProperties === 'object'
      ? unguardedStrings(schema.additionalProperties, `${at}{}`, seen)
      : []),
    ...[...(schema.anyOf ?? []), ...(schema.oneOf ?? []), ...(schema.allOf ?? [])].flatMap((branch) =>
      unguardedStrings(branch, at, seen),
    ),
  ];
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  if (!types.includes('string')) return nested;
  const guarded =
    schema.enum !== undefined ||
    schema.const !== undefined ||
    schema.format === 'date-time' ||
    (schema.pattern !== undefined &&
      !['\u0000', 'a\u0000', '\u0001', '\u007f'].some((value) =>
        new RegExp(schema.pattern ?? '').test(value),
      ));
  return guarded ? nested : [at, ...nested];
}

describe('every operation in openapi/gateway.json', () => {
  it.each(operations)('$name declares the statuses shared middleware gives it', ({ method, operation }) => {
    const signed = (operation.security ?? []).length > 0;
    expect(Object.keys(operation.responses)).toEqual(
      expect.arrayContaining(expectedStatuses(method, signed)),
    );
  });

  it('puts every string a request carries under the text rule or a stricter format', () => {
    const unguarded = operations.flatMap(({ name, operation }) => [
      ...(operation.parameters ?? []).flatMap((parameter) =>
        unguardedStrings(parameter.schema, `${name} ${parameter.in}.${parameter.name}`),
      ),
      ...Object.values(operation.requestBody?.content ?? {}).flatMap(({ schema }) =>
        unguardedStrings(schema, `${name} body`),
      ),
    ]);
    expect(unguarded).toEqual([]);
  });
});
