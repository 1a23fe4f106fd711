/* Numbers for zh-CN, times in Asia/Shanghai (the office's clock, whatever the browser's). */

const TZ = 'Asia/Shanghai';
const integer = new Intl.NumberFormat('zh-CN');
const percent = new Intl.NumberFormat('zh-CN', {
  style: 'percent',
  minimumFractionDigits: 0,
  maximumFractionDigits: 1,
});
const dateTime = new Intl.DateTimeFormat('zh-CN', {
  timeZone: TZ,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hour12: false,
});
const time = new Intl.DateTimeFormat('zh-CN', {
  timeZone: TZ,
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hour12: false,
});
const longDate = new Intl.DateTimeFormat('zh-CN', { timeZone: 'UTC', year: 'numeric', month: 'long', day: 'numeric' });
const shortDate = new Intl.DateTimeFormat('zh-CN', { timeZone: 'UTC', month: 'numeric', day: 'numeric' });
const isoDay = new Intl.DateTimeFormat('en-CA', { timeZone: TZ });
const isoParts = new Intl.DateTimeFormat('en-CA', {
  timeZone: TZ,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hour12: false,
});

export const num = (n: number | null | undefined) => (n === null || n === undefined ? '—' : integer.format(n));
export const pct = (rate: number | null | undefined) =>
  rate === null || rate === undefined ? '—' : percent.format(rate);

/** An instant (ISO) as 2024/10/12 09:00:00, Beijing time. */
export const when = (iso: string | null | undefined) => (iso ? dateTime.format(new Date(iso)) : '—');
export const clock = (d: Date | null | undefined) => (d ? time.format(d) : '—');

/** A calendar date (YYYY-MM-DD) as 2024年11月30日. */
export const day = (date: string | null | undefined) => (date ? longDate.format(new Date(`${date}T00:00:00Z`)) : '—');
export const dayShort = (date: string) => shortDate.format(new Date(`${date}T00:00:00Z`));

/** Today in the office's time zone, YYYY-MM-DD. */
export const today = () => isoDay.format(new Date());

/** An instant as the value of <input type="datetime-local"> in Beijing time (seconds included). */
export function toLocalInput(iso: string): string {
  const parts = Object.fromEntries(isoParts.formatToParts(new Date(iso)).map((p) => [p.type, p.value]));
  const hour = parts.hour === '24' ? '00' : parts.hour;
  return `${parts.year}-${parts.month}-${parts.day}T${hour}:${parts.minute}:${parts.second}`;
}

/** The value of a datetime-local input, read as Beijing time (UTC+8, no daylight saving), as an ISO instant. */
export function fromLocalInput(value: string): string | undefined {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(:\d{2})?/.exec(value);
  if (!m) return undefined;
  // The whole second chosen is included: events are recorded with sub-second precision. The picker shows seconds
  // (step="1"), and its value leaves them out when they are 00 ("…T04:12" is 04:12:00, as the picker shows it).
  const d = new Date(`${m[1]}T${m[2]}${m[3] ?? ':00'}.999+08:00`);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}
