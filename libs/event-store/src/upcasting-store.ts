import type { EventStore, RecordedEvent } from './types.js';

/** Turns a stored event into the shape readers expect now (the app passes the domain's upcasters). */
export type EventUpcaster = (event: RecordedEvent) => RecordedEvent;

/**
 * The port with every read passed through an upcaster, and every append stamped by `stamp` (the
 * writer's schema version). Integrity checks stay on the stored bytes: the hash chain covers the
 * event as written, never as upcast.
 */
export function withUpcasting<S extends EventStore>(
  store: S,
  upcaster: EventUpcaster,
  stamp?: (type: string) => Record<string, unknown>,
): S {
  const up = (events: RecordedEvent[]) => events.map(upcaster);
  return new Proxy(store, {
    get(target, property, receiver) {
      switch (property) {
        case 'readStream':
          return async (...args: Parameters<EventStore['readStream']>) => up(await target.readStream(...args));
        case 'readAll':
          return async (...args: Parameters<EventStore['readAll']>) => up(await target.readAll(...args));
        case 'subscribeToAll':
          return (
            options: Parameters<EventStore['subscribeToAll']>[0],
            handler: Parameters<EventStore['subscribeToAll']>[1],
          ) => target.subscribeToAll(options, (batch) => handler(up(batch)));
        case 'appendToStream':
          if (!stamp) break;
          return (...[streamId, events, options]: Parameters<EventStore['appendToStream']>) =>
            target.appendToStream(
              streamId,
              events.map((e) => ({ ...e, metadata: { ...stamp(e.type), ...e.metadata } })),
              options,
            );
      }
      const value = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
