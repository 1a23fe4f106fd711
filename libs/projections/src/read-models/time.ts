import type { RecordedEvent } from '@app/event-store';

/*
 * Dates on dashboards are calendar dates in the office's time zone (Asia/Shanghai, UTC+8 all year:
 * China has had no daylight saving since 1991), so a rectification verified at 07:30 on Monday in
 * 平城区 counts for Monday, not for Sunday as a UTC date would have it.
 */
const OFFICE_OFFSET_MS = 8 * 3_600_000;
const DAY_MS = 86_400_000;

/**
 * When the event happened: the domain's `data.occurredAt` (the command's time, or the time the
 * user stated), else the store's `occurredAt`, else `recordedAt`. Never the projector's clock.
 */
export function eventInstant(event: RecordedEvent): string {
  const data = event.data as { occurredAt?: unknown } | null;
  if (data && typeof data.occurredAt === 'string' && !Number.isNaN(Date.parse(data.occurredAt))) return data.occurredAt;
  return (event.occurredAt ?? event.recordedAt).toISOString();
}

/** The calendar date (YYYY-MM-DD) in Asia/Shanghai of an ISO instant. */
export function officeDate(instant: string): string {
  return new Date(Date.parse(instant) + OFFICE_OFFSET_MS).toISOString().slice(0, 10);
}

const utcDay = (date: string) =>
  Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10)));

/** The Monday (ISO week start) of a YYYY-MM-DD date. */
export function isoWeekStart(date: string): string {
  const day = utcDay(date);
  const weekday = (new Date(day).getUTCDay() + 6) % 7; // Monday 0 … Sunday 6
  return new Date(day - weekday * DAY_MS).toISOString().slice(0, 10);
}

export function addDays(date: string, days: number): string {
  return new Date(utcDay(date) + days * DAY_MS).toISOString().slice(0, 10);
}
