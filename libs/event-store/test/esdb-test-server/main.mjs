// Runs the EventStoreDB test server until stopped: `node libs/event-store/test/esdb-test-server/main.mjs [port]`.
// Prints the connection string (and the control endpoint) on stdout.
import { startTestServer } from './server.mjs';

const port = Number(process.argv[2] ?? process.env.ESDB_TEST_SERVER_PORT ?? 2113);
const server = await startTestServer({ port, controlPort: 0 });
console.log(`EVENTSTORE_CONNECTION_STRING=${server.connectionString}`);
console.log(`ESDB_TEST_SERVER_CONTROL=${server.controlUrl}`);
const stop = () => server.stop().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
