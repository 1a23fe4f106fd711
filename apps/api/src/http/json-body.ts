import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance } from 'fastify';
import { ProblemException } from './problem.js';

/** Deeper than any DTO of the API (the deepest is 3), shallow enough for every recursive walker. */
export const MAX_JSON_DEPTH = 32;
/** More than any list a DTO accepts (50), few enough that a body cannot hold a 60,000-element array. */
export const MAX_JSON_ARRAY_LENGTH = 1000;

export interface JsonShapeViolation {
  rule: 'maxDepth' | 'maxArrayLength';
  message: string;
}

const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;

/**
 * One pass over the raw bytes before JSON.parse: nesting deeper than `maxDepth` or an array with
 * more than `maxArrayLength` elements is refused, so neither the parser nor class-transformer ever
 * walks it. Brackets inside strings are skipped; malformed JSON is left for the parser to refuse.
 */
export function checkJsonShape(
  body: Uint8Array,
  maxDepth = MAX_JSON_DEPTH,
  maxArrayLength = MAX_JSON_ARRAY_LENGTH,
): JsonShapeViolation | undefined {
  // Per open bracket: -1 for an object, else the number of commas seen so far in that array.
  const stack: number[] = [];
  let inString = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
      continue;
    }
    if (c === QUOTE) {
      inString = true;
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      if (stack.length >= maxDepth) {
        return { rule: 'maxDepth', message: `JSON may be nested at most ${maxDepth} levels deep` };
      }
      stack.push(c === OPEN_OBJECT ? -1 : 0);
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      stack.pop();
    } else if (c === COMMA) {
      const top = stack.length - 1;
      if (top >= 0 && stack[top] >= 0) {
        stack[top]++;
        if (stack[top] >= maxArrayLength) {
          return { rule: 'maxArrayLength', message: `a JSON array may hold at most ${maxArrayLength} elements` };
        }
      }
    }
  }
  return undefined;
}

/**
 * The app's application/json parser: the shape check, then fastify's own parser (which refuses
 * `__proto__` and `constructor.prototype` keys). A refusal is a 400 problem naming the body.
 */
export function installJsonBodyParser(app: NestFastifyApplication, bodyLimit: number): void {
  const fastify: FastifyInstance = app.getHttpAdapter().getInstance();
  const parse = fastify.getDefaultJsonParser('error', 'error');
  app.useBodyParser('application/json', { bodyLimit }, (request, body, done) => {
    const violation = checkJsonShape(body);
    if (violation) {
      done(
        new ProblemException(400, 'VALIDATION_FAILED', `Invalid input: body (${violation.message})`, [
          { field: 'body', rule: violation.rule, message: violation.message },
        ]),
        undefined,
      );
      return;
    }
    void parse(request as Parameters<typeof parse>[0], body.toString('utf8'), done);
  });
}

/** The largest hand-over bundle (a round's events and its evidence files, base64) the office accepts in one request. */
export const MAX_BUNDLE_BYTES = 1024 * 1024 * 1024;

/**
 * A hand-over bundle (`application/vnd.xuncha.handover+json`) is one large JSON document with long arrays of events:
 * not limited like a command's body, parsed by the same prototype-safe parser.
 */
export function installBundleBodyParser(app: NestFastifyApplication, mediaType: string): void {
  const fastify: FastifyInstance = app.getHttpAdapter().getInstance();
  const parse = fastify.getDefaultJsonParser('error', 'error');
  app.useBodyParser(mediaType, { bodyLimit: MAX_BUNDLE_BYTES }, (request, body, done) => {
    void parse(request as Parameters<typeof parse>[0], body.toString('utf8'), done);
  });
}
