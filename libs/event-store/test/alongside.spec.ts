import { WrongExpectedRevisionError } from '@app/event-store';
import { adapterRows, contractAdapters, ev, newId, type StoreFixture } from './support.js';

/**
 * A caller's own rows committed in the append's transaction (`alongside`): with the events or not at
 * all. PostgreSQL only; the in-memory store refuses them rather than pretend.
 */
describe.each(adapterRows(contractAdapters().filter((a) => a.postgres)))(
  'statements alongside an append on %s',
  (_name, adapter) => {
    let fx: StoreFixture;
    let table: string;
    beforeEach(async () => {
      fx = await adapter.open();
      table = `alongside_${newId().replaceAll('-', '')}`;
      await fx.pg!.admin.query(`CREATE TABLE public.${table} (id text PRIMARY KEY)`);
    });
    afterEach(async () => {
      await fx.pg!.admin.query(`DROP TABLE IF EXISTS public.${table}`);
      await fx.close();
    });
    const rows = async () => {
      const { rows: found } = await fx.pg!.admin.query(`SELECT id FROM public.${table} ORDER BY id`);
      return found.map((r) => r.id);
    };
    const insert = (id: string) => ({
      text: `INSERT INTO public.${table} (id) VALUES ($1) ON CONFLICT DO NOTHING`,
      values: [id],
    });

    it('commits them with the events; a refused append (wrong revision) leaves neither', async () => {
      const stream = `lead-${newId()}`;
      await fx.store.appendToStream(stream, [ev('LeadRecorded')], {
        expectedRevision: 'no_stream',
        alongside: [insert('a')],
      });
      expect(await rows()).toEqual(['a']);
      const refused = fx.store.appendToStream(stream, [ev('LeadTriaged')], {
        expectedRevision: 0,
        alongside: [insert('b')],
      });
      await expect(refused).rejects.toBeInstanceOf(WrongExpectedRevisionError);
      expect(await rows()).toEqual(['a']);
      expect(await fx.store.streamRevision(stream)).toBe(1);
    });

    it('a failing statement writes no event', async () => {
      const stream = `lead-${newId()}`;
      const bad = { text: `INSERT INTO public.${table} (id) VALUES (NULL)`, values: [] };
      await expect(fx.store.appendToStream(stream, [ev('LeadRecorded')], { alongside: [bad] })).rejects.toThrow();
      expect(await fx.store.streamRevision(stream)).toBe(0);
    });

    it('a retried append of the same ids answers the original and keeps the rows once', async () => {
      const stream = `lead-${newId()}`;
      const events = [ev('LeadRecorded', {}, { id: newId() })];
      const first = await fx.store.appendToStream(stream, events, {
        expectedRevision: 'no_stream',
        alongside: [insert('c')],
      });
      const again = await fx.store.appendToStream(stream, events, {
        expectedRevision: 'no_stream',
        alongside: [insert('c')],
      });
      expect(again).toMatchObject({
        nextRevision: first.nextRevision,
        position: first.position,
        alreadyAppended: true,
      });
      expect(await rows()).toEqual(['c']);
    });
  },
);
