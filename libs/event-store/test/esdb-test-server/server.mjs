// A protocol-level EventStoreDB test server (test code, not product): the Streams and ServerFeatures
// gRPC services, with the service definitions and message classes generated from the server's .proto
// files that ship inside @eventstore/db-client (its `generated/` folder), so the real client, its
// serialization and its error mapping are exercised. One node, no TLS, in memory.
// Semantics modelled on EventStoreDB: 0-based stream revisions, commit = prepare position per event
// (no explicit transactions), expected-revision checks answered with WrongExpectedVersion details,
// an append of event ids already written at the same expected revision answered idempotently,
// $all reads and catch-up-then-live subscriptions with stream-name / event-type filters.
import { createRequire } from 'node:module';
import http from 'node:http';

const require = createRequire(import.meta.url);
const grpc = require('@grpc/grpc-js');
const gen = '@eventstore/db-client/generated/';
const streamsGrpc = require(`${gen}streams_grpc_pb.js`);
const pb = require(`${gen}streams_pb.js`);
const shared = require(`${gen}shared_pb.js`);
const featuresGrpc = require(`${gen}serverfeatures_grpc_pb.js`);
const featuresPb = require(`${gen}serverfeatures_pb.js`);

const { ReadReq, ReadResp, AppendResp } = pb;
const Opt = ReadReq.Options;
const TICKS_PER_MS = 10000n;
const EPOCH_TICKS = 621355968000000000n; // .NET ticks at 1970-01-01, as EventStoreDB's "created"

export async function startTestServer({ port = 0, host = '127.0.0.1', controlPort } = {}) {
  /** The transaction log: { stream, revision (0-based), id, type, contentType, data, meta, position, created }. */
  const log = [];
  const streams = new Map();
  const subscriptions = new Set();
  // Positions grow like a file offset: each record takes room proportional to its size.
  let nextPosition = 1000n;

  const toUuid = (u) => (u.hasString() ? u.getString() : structuredToString(u.getStructured()));
  const makeUuid = (s) => new shared.UUID().setString(s);
  const streamName = (identifier) => Buffer.from(identifier.getStreamName_asU8()).toString('utf8');

  function recordedEvent(e) {
    const r = new ReadResp.ReadEvent.RecordedEvent();
    r.setId(makeUuid(e.id));
    r.setStreamIdentifier(new shared.StreamIdentifier().setStreamName(Buffer.from(e.stream, 'utf8')));
    r.setStreamRevision(e.revision.toString());
    r.setPreparePosition(e.position.toString());
    r.setCommitPosition(e.position.toString());
    const m = r.getMetadataMap();
    m.set('type', e.type);
    m.set('content-type', e.contentType);
    m.set('created', e.created.toString());
    r.setCustomMetadata(e.meta);
    r.setData(e.data);
    return r;
  }

  function eventResp(e) {
    const ev = new ReadResp.ReadEvent();
    ev.setEvent(recordedEvent(e));
    ev.setCommitPosition(e.position.toString());
    return new ReadResp().setEvent(ev);
  }

  function append(call, callback) {
    let options;
    const proposed = [];
    call.on('data', (req) => {
      if (req.hasOptions()) options = req.getOptions();
      else proposed.push(req.getProposedMessage());
    });
    call.on('error', () => undefined);
    call.on('end', () => {
      try {
        callback(null, doAppend(options, proposed));
      } catch (error) {
        callback(error);
      }
    });
  }

  function doAppend(options, proposed) {
    const name = streamName(options.getStreamIdentifier());
    const events = streams.get(name) ?? [];
    const current = events.length - 1; // -1: no stream
    const resp = new AppendResp();
    const ids = proposed.map((p) => toUuid(p.getId()));
    // Idempotency as in EventStoreDB: the same ids written right after the expected revision.
    const expectedStart = options.hasRevision()
      ? Number(options.getRevision()) + 1
      : options.hasNoStream()
        ? 0
        : options.hasAny() && ids.length
          ? events.findIndex((e) => e.id === ids[0])
          : -2;
    if (expectedStart >= 0 && ids.length && ids.every((id, i) => events[expectedStart + i]?.id === id)) {
      const last = events[expectedStart + ids.length - 1];
      return success(resp, last.revision, last.position);
    }
    let wrong = false;
    if (options.hasRevision()) wrong = BigInt(options.getRevision()) !== BigInt(current);
    else if (options.hasNoStream()) wrong = current !== -1;
    else if (options.hasStreamExists()) wrong = current === -1;
    if (wrong) {
      const w = new AppendResp.WrongExpectedVersion();
      if (current === -1) w.setCurrentNoStream(new shared.Empty());
      else w.setCurrentRevision(String(current));
      if (options.hasRevision()) w.setExpectedRevision(options.getRevision());
      else if (options.hasNoStream()) w.setExpectedNoStream(new shared.Empty());
      else if (options.hasStreamExists()) w.setExpectedStreamExists(new shared.Empty());
      else w.setExpectedAny(new shared.Empty());
      return resp.setWrongExpectedVersion(w);
    }
    const created = BigInt(Date.now()) * TICKS_PER_MS + EPOCH_TICKS;
    let last;
    for (const [i, p] of proposed.entries()) {
      const metadata = p.getMetadataMap();
      const data = Buffer.from(p.getData_asU8());
      const meta = Buffer.from(p.getCustomMetadata_asU8());
      last = {
        stream: name,
        revision: events.length,
        id: ids[i],
        type: metadata.get('type'),
        contentType: metadata.get('content-type') ?? 'application/octet-stream',
        data,
        meta,
        position: nextPosition,
        created,
      };
      nextPosition += BigInt(100 + data.length + meta.length + name.length);
      events.push(last);
      log.push(last);
    }
    streams.set(name, events);
    for (const s of subscriptions) s.wake();
    return success(resp, last.revision, last.position);
  }

  function success(resp, revision, position) {
    const s = new AppendResp.Success();
    s.setCurrentRevision(String(revision));
    s.setPosition(
      new AppendResp.Position().setCommitPosition(position.toString()).setPreparePosition(position.toString()),
    );
    return resp.setSuccess(s);
  }

  function matcher(options) {
    if (!options.hasFilter()) return () => true;
    const f = options.getFilter();
    const byStream = f.hasStreamIdentifier();
    const expr = byStream ? f.getStreamIdentifier() : f.getEventType();
    const regex = expr.getRegex() ? new RegExp(expr.getRegex()) : null;
    const prefixes = expr.getPrefixList();
    return (e) => {
      const value = byStream ? e.stream : e.type;
      if (regex && !regex.test(value)) return false;
      if (prefixes.length && !prefixes.some((p) => value.startsWith(p))) return false;
      return true;
    };
  }

  function read(call) {
    const options = call.request.getOptions();
    const backwards = options.getReadDirection() === Opt.ReadDirection.BACKWARDS;
    const count = options.hasCount() ? Number(options.getCount()) : Number.MAX_SAFE_INTEGER;
    if (options.hasStream()) return readStream(call, options, backwards, count);
    const all = options.getAll();
    const match = matcher(options);
    if (options.hasSubscription()) return subscribeAll(call, all, match);
    let list;
    if (backwards) {
      const from = all.hasPosition() ? BigInt(all.getPosition().getCommitPosition()) : null;
      list = log.filter((e) => (from === null ? true : e.position < from)).reverse();
    } else {
      // $all reads forwards include the event at the given position.
      const from = all.hasPosition() ? BigInt(all.getPosition().getCommitPosition()) : -1n;
      list = all.hasEnd() ? [] : log.filter((e) => e.position >= from);
    }
    for (const e of list.filter(match).slice(0, count)) call.write(eventResp(e));
    call.end();
  }

  function readStream(call, options, backwards, count) {
    const s = options.getStream();
    const name = streamName(s.getStreamIdentifier());
    const events = streams.get(name);
    if (options.hasSubscription()) {
      call.destroy({
        code: grpc.status.UNIMPLEMENTED,
        details: 'stream subscriptions are not part of the test server',
      });
      return;
    }
    if (!events) {
      const nf = new ReadResp.StreamNotFound().setStreamIdentifier(s.getStreamIdentifier());
      call.write(new ReadResp().setStreamNotFound(nf));
      call.end();
      return;
    }
    let list;
    if (backwards) {
      const from = s.hasRevision() ? Number(s.getRevision()) : events.length - 1;
      list = events.slice(0, from + 1).reverse();
    } else {
      const from = s.hasRevision() ? Number(s.getRevision()) : s.hasEnd() ? events.length : 0;
      list = events.slice(from);
    }
    for (const e of list.slice(0, count)) call.write(eventResp(e));
    call.end();
  }

  function subscribeAll(call, all, match) {
    // Subscriptions start after the given position (exclusive), catch up, then go live.
    let after = all.hasPosition() ? BigInt(all.getPosition().getCommitPosition()) : all.hasEnd() ? nextPosition : -1n;
    const id = `sub-${Math.random().toString(16).slice(2)}`;
    call.write(new ReadResp().setConfirmation(new ReadResp.SubscriptionConfirmation().setSubscriptionId(id)));
    let index = 0;
    let caughtUp = false;
    const sub = {
      call,
      wake() {
        while (index < log.length) {
          const e = log[index++];
          if (e.position <= after || !match(e)) continue;
          after = e.position;
          if (!call.write(eventResp(e))) {
            // Back-pressure: continue once the client has drained what it was sent.
            call.once('drain', () => sub.wake());
            return;
          }
        }
        if (!caughtUp) {
          caughtUp = true;
          if (ReadResp.CaughtUp) call.write(new ReadResp().setCaughtUp(new ReadResp.CaughtUp()));
        }
      },
    };
    subscriptions.add(sub);
    const drop = () => subscriptions.delete(sub);
    call.on('cancelled', drop);
    call.on('close', drop);
    call.on('error', drop);
    sub.wake();
  }

  const server = new grpc.Server();
  const unimplemented = (_call, callback) =>
    callback({ code: grpc.status.UNIMPLEMENTED, details: 'not in the test server' });
  server.addService(streamsGrpc.StreamsService, {
    read,
    append,
    delete: unimplemented,
    tombstone: unimplemented,
    batchAppend: (call) => call.destroy({ code: grpc.status.UNIMPLEMENTED, details: 'not in the test server' }),
  });
  server.addService(featuresGrpc.ServerFeaturesService, {
    getSupportedMethods(_call, callback) {
      const methods = ['read', 'append'].map((m) =>
        new featuresPb.SupportedMethod().setServiceName('event_store.client.streams.streams').setMethodName(m),
      );
      callback(
        null,
        new featuresPb.SupportedMethods().setMethodsList(methods).setEventStoreServerVersion('23.10.0-test'),
      );
    },
  });
  const boundPort = await new Promise((resolve, reject) =>
    server.bindAsync(`${host}:${port}`, grpc.ServerCredentials.createInsecure(), (error, p) =>
      error ? reject(error) : resolve(p),
    ),
  );
  const connectionString = `esdb://${host}:${boundPort}?tls=false`;

  // A control endpoint for the fault tests: POST /drop-subscriptions ends every live subscription
  // with UNAVAILABLE, as a dropped connection would.
  const dropSubscriptions = () => {
    const n = subscriptions.size;
    for (const s of [...subscriptions]) {
      subscriptions.delete(s);
      s.call.emit('error', { code: grpc.status.UNAVAILABLE, details: 'connection dropped by the test server' });
    }
    return n;
  };
  let control;
  let controlUrl;
  if (controlPort !== undefined) {
    control = http.createServer((req, res) => {
      if (req.method === 'POST' && req.url === '/drop-subscriptions') res.end(String(dropSubscriptions()));
      else res.writeHead(404).end();
    });
    await new Promise((resolve) => control.listen(controlPort, host, resolve));
    controlUrl = `http://${host}:${control.address().port}`;
  }
  return {
    connectionString,
    controlUrl,
    dropSubscriptions,
    async stop() {
      dropSubscriptions();
      control?.close();
      await new Promise((resolve) => server.tryShutdown(() => resolve()));
      server.forceShutdown();
    },
  };
}

function structuredToString(s) {
  const hex = (v) => BigInt.asUintN(64, BigInt(v)).toString(16).padStart(16, '0');
  const h = hex(s.getMostSignificantBits()) + hex(s.getLeastSignificantBits());
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
