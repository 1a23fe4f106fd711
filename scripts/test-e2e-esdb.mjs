// The app's e2e suite with EVENT_STORE=esdb: against EVENTSTORE_CONNECTION_STRING when it is set,
// otherwise against the protocol-level EventStoreDB test server started here (test code built from
// the gRPC definitions inside @eventstore/db-client). Extra arguments go to jest (e.g. a test path).
import { spawn } from 'node:child_process';

let server;
if (!process.env.EVENTSTORE_CONNECTION_STRING) {
  const { startTestServer } = await import('../libs/event-store/test/esdb-test-server/server.mjs');
  server = await startTestServer({ controlPort: 0 });
  process.env.EVENTSTORE_CONNECTION_STRING = server.connectionString;
  console.error(`EventStoreDB test server on ${server.connectionString}`);
}
const args = ['jest', '--selectProjects', 'e2e', '--runInBand', '--forceExit', ...process.argv.slice(2)];
const child = spawn('npx', args, {
  stdio: 'inherit',
  env: { ...process.env, EVENT_STORE: 'esdb', NODE_OPTIONS: '--experimental-vm-modules' },
});
const code = await new Promise((resolve) => child.on('exit', (c) => resolve(c ?? 1)));
await server?.stop();
process.exit(code);
