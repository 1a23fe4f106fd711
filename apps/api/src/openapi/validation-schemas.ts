import { createRequire } from 'node:module';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants.js';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum.js';
import { ModulesContainer } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { OpenAPIObject } from '@nestjs/swagger';
import { getMetadataStorage } from 'class-validator';

/** A class as class-validator and Nest keep it in their metadata. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- constructor parameters of arbitrary DTO classes
type ClassType = abstract new (...args: any[]) => unknown;

type Schema = Record<string, unknown>;
type Metadata = ReturnType<ReturnType<typeof getMetadataStorage>['getTargetValidationMetadatas']>[number];

// class-transformer keeps the @Type() of nested DTOs here; it has no typed export for it.
const { defaultMetadataStorage } = createRequire(import.meta.url)('class-transformer/cjs/storage.js') as {
  defaultMetadataStorage: {
    findTypeMetadata(target: ClassType, property: string): { typeFunction(): ClassType } | undefined;
  };
};

const CONDITIONAL = 'conditionalValidation';
const NESTED = 'nestedValidation';

/** One property's schema from its class-validator decorators (the ones the API's DTOs use). */
function propertySchema(target: ClassType, property: string, rules: Metadata[], schemas: Schema): Schema {
  const item: Schema = {};
  const list: Schema = {};
  let isArray = false;
  for (const rule of rules) {
    const into = rule.each ? item : list;
    const [a, b] = rule.constraints ?? [];
    switch (rule.name ?? rule.type) {
      case 'isString':
        into.type = 'string';
        break;
      case 'safeText':
        into.type = 'string';
        into['x-text-policy'] = 'safeText';
        break;
      case 'isNotEmpty':
        into.minLength ??= 1;
        break;
      case 'maxLength':
        into.type ??= 'string';
        into.maxLength = a;
        break;
      case 'minLength':
        into.minLength = a;
        break;
      case 'isLength':
        into.minLength = a;
        if (b !== undefined) into.maxLength = b;
        break;
      case 'matches':
        into.type ??= 'string';
        into.pattern = (a as RegExp).source;
        break;
      case 'isUuid':
        into.type = 'string';
        into.format = 'uuid';
        break;
      case 'isDateString':
      case 'isIso8601':
        into.type = 'string';
        into.format = 'date-time';
        break;
      case 'isIn':
        into.enum = a;
        break;
      case 'isInt':
        into.type = 'integer';
        break;
      case 'isNumber':
        into.type = 'number';
        break;
      case 'min':
        into.minimum = a;
        break;
      case 'max':
        into.maximum = a;
        break;
      case 'isBoolean':
        into.type = 'boolean';
        break;
      case 'isEvidenceRef':
        // A paper reference, or a file uploaded before (POST /api/evidence) cited by hash and name.
        into.oneOf = [
          { type: 'string', minLength: 1, maxLength: 500 },
          {
            type: 'object',
            required: ['sha256', 'name'],
            additionalProperties: false,
            properties: {
              sha256: { type: 'string', pattern: '^[0-9a-f]{64}$' },
              name: { type: 'string', minLength: 1, maxLength: 200 },
            },
          },
        ];
        break;
      case 'isArray':
        isArray = true;
        break;
      case 'arrayMinSize':
        isArray = true;
        list.minItems = a;
        break;
      case 'arrayMaxSize':
        isArray = true;
        list.maxItems = a;
        break;
    }
    if (rule.type === NESTED) {
      const nested = defaultMetadataStorage.findTypeMetadata(target, property)?.typeFunction();
      if (nested) {
        addModel(nested, schemas);
        Object.assign(rule.each ? item : list, { $ref: `#/components/schemas/${nested.name}` });
      }
    }
  }
  const each = rules.some((r) => r.each) || isArray;
  if (!each) return list;
  const items = item.$ref || Object.keys(item).length ? item : list.$ref ? { $ref: list.$ref } : {};
  const { $ref: _ref, ...rest } = list;
  return { ...rest, type: 'array', items };
}

/** The object schema of a DTO class from its validation decorators, added to `schemas` under its name. */
function addModel(model: ClassType, schemas: Schema): Schema {
  const existing = schemas[model.name] as Schema | undefined;
  if (existing && Object.keys((existing.properties as Schema | undefined) ?? {}).length) return existing;
  const metadata = getMetadataStorage().getTargetValidationMetadatas(model, '', true, false);
  const byProperty = new Map<string, Metadata[]>();
  for (const m of metadata) byProperty.set(m.propertyName, [...(byProperty.get(m.propertyName) ?? []), m]);
  const properties: Schema = {};
  const required: string[] = [];
  const schema: Schema = { type: 'object', properties, additionalProperties: false };
  schemas[model.name] = schema;
  for (const [property, rules] of byProperty) {
    properties[property] = propertySchema(model, property, rules, schemas);
    if (!rules.some((r) => r.type === CONDITIONAL)) required.push(property);
  }
  if (required.length) schema.required = required;
  return schema;
}

type Operation = { operationId?: string; parameters?: Array<Record<string, unknown>>; requestBody?: unknown };

/**
 * The DTOs without @ApiProperty decorators (most of them) appear in the document as empty objects, and
 * their query parameters not at all. This completes both from the class-validator decorators the
 * validation pipe enforces, so the document says what the API accepts.
 */
export function describeValidatedInputs(document: OpenAPIObject, app: NestFastifyApplication): OpenAPIObject {
  const schemas = ((document.components ??= {}).schemas ??= {}) as Schema;
  const inputs = new Map<string, { body?: ClassType; query?: ClassType }>();
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as ClassType | undefined;
      if (!controller) continue;
      for (const handler of Object.getOwnPropertyNames(controller.prototype)) {
        if (handler === 'constructor') continue;
        const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, handler) ?? {}) as Record<
          string,
          { index: number; data?: unknown }
        >;
        const types = (Reflect.getMetadata('design:paramtypes', controller.prototype, handler) ?? []) as ClassType[];
        const found: { body?: ClassType; query?: ClassType } = {};
        for (const [key, arg] of Object.entries(args)) {
          const kind = Number(key.split(':')[0]) as RouteParamtypes;
          const type = types[arg.index];
          if (arg.data !== undefined || !type || [String, Number, Boolean, Object].includes(type as never)) continue;
          if (kind === RouteParamtypes.BODY) found.body = type;
          if (kind === RouteParamtypes.QUERY) found.query = type;
        }
        inputs.set(`${controller.name}_${handler}`, found);
      }
    }
  }
  for (const item of Object.values(document.paths)) {
    for (const op of Object.values(item as Record<string, Operation>)) {
      const found = op.operationId ? inputs.get(op.operationId) : undefined;
      if (found?.body) addModel(found.body, schemas);
      if (found?.query) {
        const query = addModel(found.query, {});
        const present = new Set((op.parameters ?? []).map((p) => `${String(p.in)}:${String(p.name)}`));
        const required = new Set((query.required as string[] | undefined) ?? []);
        for (const [name, schema] of Object.entries(query.properties as Schema)) {
          if (present.has(`query:${name}`)) continue;
          (op.parameters ??= []).push({ name, in: 'query', required: required.has(name), schema });
        }
      }
    }
  }
  return document;
}
