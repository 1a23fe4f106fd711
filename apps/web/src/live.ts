import { onBeforeUnmount, reactive, watch, type WatchSource } from 'vue';
import { ApiError } from './api';
import { session } from './session';

/*
 * Live figures without reload: once a second a cheap query (one department, one row) tells how far
 * the read models have projected the log (X-Projection-Position). When it moves, every open page
 * whose data is older refetches — new events show within about a second of being projected.
 */

export const live = reactive({
  /** The read models' position last seen. */
  position: 0,
  /** When the position was last checked successfully. */
  checkedAt: null as Date | null,
  /** False while the server cannot be reached. */
  online: true,
});

const POLL_MS = 1000;
let timer: ReturnType<typeof setInterval> | undefined;
let inFlight = false;

async function tick(): Promise<void> {
  if (inFlight || !session.token || document.visibilityState === 'hidden') return;
  inFlight = true;
  try {
    const response = await fetch('/api/departments?pageSize=1', {
      headers: { authorization: `Bearer ${session.token}`, accept: 'application/json' },
    });
    const position = Number(response.headers.get('x-projection-position'));
    if (response.ok && Number.isFinite(position)) {
      if (position > live.position) live.position = position;
      live.checkedAt = new Date();
      live.online = true;
    }
  } catch {
    live.online = false;
  } finally {
    inFlight = false;
  }
}

export function startLive(): void {
  stopLive();
  void tick();
  timer = setInterval(() => void tick(), POLL_MS);
  document.addEventListener('visibilitychange', onVisible);
}

export function stopLive(): void {
  if (timer) clearInterval(timer);
  timer = undefined;
  document.removeEventListener('visibilitychange', onVisible);
}

function onVisible() {
  if (document.visibilityState === 'visible') void tick();
}

export interface Loaded<T> {
  data: T;
  /** The least fresh X-Projection-Position among the answers; null when none came from read models. */
  position: number | null;
}

/**
 * Loads a page's data when its inputs change and again whenever the read models move past what it
 * shows. A newer load wins over an older one still running.
 */
export function useLive<T>(load: (minPosition: number) => Promise<Loaded<T>>, inputs: WatchSource<unknown>) {
  const state = reactive({
    data: null as T | null,
    error: null as unknown,
    loading: false,
    /** The projection position the data reflects. */
    position: 0,
    updatedAt: null as Date | null,
  });
  let seq = 0;

  /** `inputs`: the page asked for other data (a stale answer must not stay on screen after a failure). */
  async function reload(cause: 'inputs' | 'live' = 'live'): Promise<void> {
    const mine = ++seq;
    const min = live.position;
    state.loading = true;
    try {
      const result = await load(min);
      if (mine !== seq) return;
      state.data = result.data as never;
      state.position = Math.max(result.position ?? 0, min);
      if (state.position > live.position) live.position = state.position;
      state.updatedAt = new Date();
      state.error = null;
    } catch (error) {
      if (mine !== seq) return;
      // A 401 has already sent the person to sign-in; anything else is shown by the page.
      if (!(error instanceof ApiError && error.status === 401)) state.error = error;
      // After a failed live refresh the figures shown stay (marked stale by their position); after
      // a change of inputs they would answer another question.
      if (cause === 'inputs') state.data = null;
    } finally {
      if (mine === seq) state.loading = false;
    }
  }

  watch(inputs, () => void reload('inputs'), { immediate: true, deep: true });
  const stop = watch(
    () => live.position,
    (position) => {
      if (position > state.position) void reload('live');
    },
  );
  onBeforeUnmount(() => {
    stop();
    seq++;
  });
  return { state, reload };
}

/** Combines the positions of several answers: the figures are as fresh as the oldest of them. */
export function oldest(...positions: (number | null)[]): number | null {
  const known = positions.filter((p): p is number => p !== null);
  return known.length ? Math.min(...known) : null;
}
