import { DomainError } from './errors.js';

/*
 * Small input rules shared by the deciders. Dates are handled as strings on purpose:
 * the domain never constructs a Date, so it cannot accidentally read the clock or a time zone.
 */

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

function daysInMonth(year: number, month: number): number {
  if (month === 2) {
    const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
    return leap ? 29 : 28;
  }
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** A calendar date `YYYY-MM-DD` that exists (no 2024-02-30). */
export function isIsoDate(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const match = ISO_DATE.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

export function isIsoInstant(value: unknown): value is string {
  return typeof value === 'string' && ISO_INSTANT.test(value) && isIsoDate(value.slice(0, 10));
}

/** Days from `from` to `to` (both `YYYY-MM-DD`); negative when `to` is earlier. */
export function daysBetween(from: string, to: string): number {
  const toUtc = (date: string) =>
    Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10)));
  return Math.round((toUtc(to) - toUtc(from)) / 86_400_000);
}

export function requireDate(value: unknown, field: string): string {
  if (!isIsoDate(value)) throw new DomainError('INVALID_DATE', `${field} must be a date YYYY-MM-DD`, field);
  return value;
}

/** The command's `now` (or a user-given `occurredAt`) as an ISO instant string for event data. */
export function toInstant(value: Date | string, field = 'now'): string {
  if (typeof value === 'string') {
    if (!isIsoInstant(value))
      throw new DomainError('INVALID_TIMESTAMP', `${field} must be an ISO 8601 timestamp`, field);
    return value;
  }
  if (Number.isNaN(value.getTime())) throw new DomainError('INVALID_TIMESTAMP', `${field} is not a valid time`, field);
  return value.toISOString();
}

export function requireText(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new DomainError('VALUE_REQUIRED', `${field} is required`, field);
  }
  return value.trim();
}

export function requireReason(value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new DomainError('REASON_REQUIRED', 'a reason is required', 'reason');
  }
  return value.trim();
}

export function requireOneOf<const T extends string>(value: unknown, allowed: readonly T[], field: string): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new DomainError('INVALID_VALUE', `${field} must be one of ${allowed.join(', ')}`, field);
  }
  return value as T;
}

/** Optional text: trimmed, or absent when empty, so events never carry `""` or `undefined` keys. */
export function optionalText<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  const text = value?.trim();
  return (text ? { [key]: text } : {}) as { [P in K]?: string };
}

/** `date` (YYYY-MM-DD) plus whole months; a day the month lacks becomes its last day (01-31 + 1 → 02-28/29). */
export function addMonths(date: string, months: number): string {
  const total = Number(date.slice(0, 4)) * 12 + (Number(date.slice(5, 7)) - 1) + months;
  const year = Math.floor(total / 12);
  const month = (total % 12) + 1;
  const day = Math.min(Number(date.slice(8, 10)), daysInMonth(year, month));
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  return `${pad(year, 4)}-${pad(month)}-${pad(day)}`;
}

/** The calendar date of an instant in the office's time zone (China Standard Time, UTC+8, no daylight saving). */
export function officeDateOf(instant: string): string {
  const days = Math.floor((Date.parse(instant) + 8 * 3_600_000) / 86_400_000);
  return dateOfEpochDay(days);
}

/** The calendar date `days` after 1970-01-01 (Howard Hinnant's civil-from-days, no Date object). */
function dateOfEpochDay(days: number): string {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}
