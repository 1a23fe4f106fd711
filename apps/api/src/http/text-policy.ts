/* eslint-disable no-control-regex -- the policy is about control characters: the patterns name them */
import { Transform } from 'class-transformer';
import { IsNotEmpty, IsString, MaxLength, registerDecorator, type ValidationArguments } from 'class-validator';

/*
 * The text policy (docs/text-policy.md). Two layers:
 * - every string anywhere in a body, query or path (values and keys) is refused when it holds NUL or
 *   a lone UTF-16 surrogate: `findUnreadableString`, run by the global validation pipe, so a DTO
 *   added later is covered without doing anything;
 * - names, titles and free text fields carry `@SafeText()`: NFC-normalised, and refused when they
 *   hold a control character (free text may keep line breaks and tabs) or a bidi control.
 */

/** NUL, or a high surrogate not followed by a low one, or a low one not preceded by a high one. */
const UNREADABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** C0 and C1 controls and DEL (ESC of terminal escapes included). */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
/** The same, but line feed, carriage return and tab are allowed (multi-line free text). */
const CONTROL_EXCEPT_LINES = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;
/**
 * Bidi embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069), the implicit marks
 * (U+200E, U+200F, U+061C), and the line/paragraph separators (U+2028, U+2029) that break logs.
 */
const BIDI = /[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c\u2028\u2029]/;

export type UnreadableReason = 'nul' | 'lone_surrogate';

export function unreadableReason(text: string): UnreadableReason | undefined {
  const m = UNREADABLE.exec(text);
  if (!m) return undefined;
  return m[0] === '\u0000' ? 'nul' : 'lone_surrogate';
}

export interface Unreadable {
  field: string;
  reason: UnreadableReason;
}

/**
 * The first string (value or key) in a parsed body, query or params that holds NUL or a lone
 * surrogate, with its path (`subjects[0].name`). Walks iteratively: depth is bounded by the JSON
 * parser already, but a query string's objects must not overflow the stack either.
 */
export function findUnreadableString(value: unknown, root = ''): Unreadable | undefined {
  const stack: Array<[unknown, string]> = [[value, root]];
  while (stack.length) {
    const [v, path] = stack.pop()!;
    if (typeof v === 'string') {
      const reason = unreadableReason(v);
      if (reason) return { field: path || 'value', reason };
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], `${path}[${i}]`]);
    } else if (v && typeof v === 'object') {
      for (const key of Object.keys(v)) {
        const child = path ? `${path}.${key}` : key;
        const reason = unreadableReason(key);
        if (reason) return { field: child, reason };
        stack.push([(v as Record<string, unknown>)[key], child]);
      }
    }
  }
  return undefined;
}

export const UNREADABLE_MESSAGES: Record<UnreadableReason, string> = {
  nul: 'must not contain the NUL character (U+0000)',
  lone_surrogate: 'must be valid Unicode: it holds a lone surrogate (an unpaired U+D800–U+DFFF)',
};

export interface SafeTextOptions {
  /** Free text (descriptions, notes): line feed, carriage return and tab are allowed. Default false. */
  multiline?: boolean;
  /** Empty (or only spaces) allowed. Default false. */
  allowEmpty?: boolean;
}

/** Why a text breaks the policy, or undefined; `text` is expected NFC-normalised already. */
export function unsafeTextReason(text: string, multiline = false): string | undefined {
  const unreadable = unreadableReason(text);
  if (unreadable) return UNREADABLE_MESSAGES[unreadable];
  if ((multiline ? CONTROL_EXCEPT_LINES : CONTROL).test(text)) {
    return multiline
      ? 'must not contain control characters other than line breaks and tabs'
      : 'must not contain control characters (line breaks, tabs, escapes)';
  }
  if (BIDI.test(text)) return 'must not contain bidirectional control characters (U+202A–U+202E, U+2066–U+2069)';
  return undefined;
}

/** NFC, for strings only (anything else is left for @IsString to refuse); lone surrogates are kept as is. */
export function nfc(value: unknown): unknown {
  return typeof value === 'string' && !unreadableReason(value) ? value.normalize('NFC') : value;
}

/**
 * The one validator of names, titles and free text: a string, NFC-normalised, at most `max`
 * characters (after normalisation), not empty unless allowed, and without control or bidi
 * characters. Refusals name the field with the rule `safeText`.
 */
export function SafeText(max: number, options: SafeTextOptions = {}): PropertyDecorator {
  const multiline = options.multiline ?? false;
  return (target: object, key: string | symbol) => {
    const property = String(key);
    Transform(({ value }) => nfc(value))(target, property);
    IsString()(target, property);
    if (!options.allowEmpty) IsNotEmpty()(target, property);
    MaxLength(max)(target, property);
    registerDecorator({
      name: 'safeText',
      target: target.constructor,
      propertyName: property,
      validator: {
        validate: (value: unknown) => typeof value !== 'string' || unsafeTextReason(value, multiline) === undefined,
        defaultMessage: (args?: ValidationArguments) =>
          `${args?.property ?? property} ${unsafeTextReason(String(args?.value ?? ''), multiline) ?? 'is not safe text'}`,
      },
    });
  };
}
