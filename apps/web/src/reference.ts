import { computed, reactive, watch } from 'vue';
import { get } from './api';
import { live } from './live';
import { remembered, session } from './session';
import { route, setQuery } from './router';
import type { Department, Page, RoundDetail, RoundItem } from './types';

/*
 * Reference data every page needs — rounds (for the picker) and departments (for names) — loaded
 * after sign-in and again when the log moves (a new round or unit shows up without reload).
 */
export const reference = reactive({
  rounds: [] as RoundItem[],
  departments: [] as Department[],
  loaded: false,
  details: {} as Record<string, RoundDetail>,
});

let loading: Promise<void> | null = null;

export function loadReference(): Promise<void> {
  if (!session.user || session.user.role === 'admin') return Promise.resolve();
  loading ??= (async () => {
    try {
      const [rounds, departments] = await Promise.all([
        get<Page<RoundItem>>('/rounds', { query: { pageSize: 200 } }),
        get<Page<Department>>('/departments', { query: { pageSize: 200 } }),
      ]);
      reference.rounds = rounds.data.items;
      reference.departments = departments.data.items;
      reference.loaded = true;
      // Round details (fields, points) are kept while the round has not changed.
      for (const r of reference.rounds) {
        const known = reference.details[r.roundId] as (RoundDetail & { lastPosition?: number }) | undefined;
        if (known && known.lastPosition !== r.lastPosition) delete reference.details[r.roundId];
      }
    } catch {
      // The page shows its own error; reference data is retried at the next change.
    } finally {
      loading = null;
    }
  })();
  return loading;
}

watch(
  () => live.position,
  () => void loadReference(),
);

export function clearReference(): void {
  reference.rounds = [];
  reference.departments = [];
  reference.details = {};
  reference.loaded = false;
}

const pendingDetails = new Map<string, Promise<void>>();

/** Fields and monitoring points of a round (GET /rounds/:id), loaded once per change of the round. */
export function roundDetail(roundId: string | undefined): RoundDetail | undefined {
  if (!roundId) return undefined;
  const known = reference.details[roundId];
  if (!known && !pendingDetails.has(roundId)) {
    const lastPosition = reference.rounds.find((r) => r.roundId === roundId)?.lastPosition;
    pendingDetails.set(
      roundId,
      get<RoundDetail>(`/rounds/${roundId}`)
        .then(({ data }) => void (reference.details[roundId] = { ...data, lastPosition } as RoundDetail))
        .catch(() => undefined)
        .finally(() => pendingDetails.delete(roundId)),
    );
  }
  return known;
}

export function departmentName(id: string | undefined | null): string {
  if (!id) return '—';
  if (!reference.loaded) return '…';
  return reference.departments.find((d) => d.departmentId === id)?.name ?? '（未知单位）';
}

/**
 * The round shown: `?round=` in the address, else the one chosen last in this session, else the
 * newest. `allowAll` pages (lists) may show every round when the address says `round=all`.
 */
export function useRound(allowAll = false) {
  const selected = computed<string | undefined>(() => {
    const q = route.query.round;
    if (allowAll && q === 'all') return undefined;
    const ids = reference.rounds.map((r) => r.roundId);
    if (q && (ids.includes(q) || !reference.loaded)) return q;
    const last = remembered.get('round');
    if (last && ids.includes(last)) return last;
    return ids[0];
  });
  function choose(roundId: string | undefined) {
    remembered.set('round', roundId);
    setQuery({ round: roundId ?? (allowAll ? 'all' : undefined), page: undefined });
  }
  const round = computed(() => reference.rounds.find((r) => r.roundId === selected.value));
  return { selected, choose, round };
}
