import type { EventStore, RecordedEvent } from '@app/event-store';
import type { EvidenceStore } from './evidence-store.js';

/** Where a file is cited: the event that carries it (its hash, in the hash chain). */
export interface EvidenceCitation {
  sha256: string;
  streamId: string;
  revision: number;
}

const CITING_TYPES = new Set(['ProgressReported', 'ClosureRequested']);

/** The files an event cites (events are read upcast: evidence is a list of items). */
export function citedFiles(event: RecordedEvent): Array<{ sha256: string; name: string }> {
  if (!CITING_TYPES.has(event.type)) return [];
  const evidence = (event.data as { evidence?: unknown }).evidence;
  if (!Array.isArray(evidence)) return [];
  return evidence
    .filter((item): item is { kind: 'file'; sha256: string; name: string } => {
      const value = item as { kind?: unknown; sha256?: unknown; name?: unknown } | null;
      return value?.kind === 'file' && typeof value.sha256 === 'string' && typeof value.name === 'string';
    })
    .map(({ sha256, name }) => ({ sha256, name }));
}

/** Every citation of a file in the log, in log order, paging through the whole log. */
export async function* citations(
  store: EventStore,
  fromPosition = 0,
): AsyncGenerator<EvidenceCitation & { name: string }> {
  let position = fromPosition;
  for (;;) {
    const page = await store.readAll({ fromPosition: position, limit: 1000 });
    if (page.length === 0) return;
    for (const event of page) {
      for (const { sha256, name } of citedFiles(event)) {
        yield { sha256, name, streamId: event.streamId, revision: event.revision };
      }
    }
    position = page[page.length - 1].position;
  }
}

export interface EvidenceVerifyReport {
  evidenceChecked: number;
  /** Each cited file that is missing or whose content no longer has its hash, with the first event citing it. */
  evidenceBroken: Array<EvidenceCitation & { reason: 'missing' | 'altered' }>;
}

/** Re-hashes every cited file once; a missing or altered one is a broken link like an altered event. */
export async function verifyEvidence(store: EventStore, files: EvidenceStore): Promise<EvidenceVerifyReport> {
  const first = new Map<string, EvidenceCitation>();
  for await (const { name: _, ...citation } of citations(store)) {
    if (!first.has(citation.sha256)) first.set(citation.sha256, citation);
  }
  const evidenceBroken: EvidenceVerifyReport['evidenceBroken'] = [];
  for (const citation of first.values()) {
    const actual = await files.rehash(citation.sha256);
    if (actual === citation.sha256) continue;
    evidenceBroken.push({ ...citation, reason: actual === 'missing' ? 'missing' : 'altered' });
  }
  return { evidenceChecked: first.size, evidenceBroken };
}

/**
 * Which finding streams cite each file, kept up to date from the log as it grows (read on demand from
 * the last position seen), for the download's check that the asker may read a case citing the file.
 */
export class CitationIndex {
  private readonly streams = new Map<string, Set<string>>();
  private readonly names = new Map<string, string>();
  private position = 0;
  private catching: Promise<void> | undefined;

  constructor(private readonly store: EventStore) {}

  /** The finding streams citing the file, and the name it was first cited by. */
  async citing(sha256: string): Promise<{ streams: string[]; name?: string }> {
    await this.catchUp();
    return { streams: [...(this.streams.get(sha256) ?? [])], name: this.names.get(sha256) };
  }

  private catchUp(): Promise<void> {
    this.catching ??= (async () => {
      try {
        // Events after `head` may be read now and again next time: adding a stream twice changes nothing.
        const head = await this.store.headPosition();
        for await (const citation of citations(this.store, this.position)) {
          const set = this.streams.get(citation.sha256) ?? new Set<string>();
          set.add(citation.streamId);
          this.streams.set(citation.sha256, set);
          if (!this.names.has(citation.sha256)) this.names.set(citation.sha256, citation.name);
        }
        this.position = head;
      } finally {
        this.catching = undefined;
      }
    })();
    return this.catching;
  }
}
