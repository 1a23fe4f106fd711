import { installShutdownHandlers } from './shutdown.js';

// SIGUSR2 is emitted in-process only, so nothing else in the test runner reacts to it.
const SIGNAL = 'SIGUSR2';

function setup(stopFns: Array<() => unknown>) {
  const lines: string[] = [];
  let resolveExit: (code: number) => void = () => undefined;
  const exited = new Promise<number>((r) => (resolveExit = r));
  const exits: number[] = [];
  const uninstall = installShutdownHandlers(stopFns, {
    signals: [SIGNAL],
    log: (m) => lines.push(m),
    exit: (code) => {
      exits.push(code);
      resolveExit(code);
    },
  });
  return { lines, exited, exits, uninstall };
}

test('runs the stop functions once, in order, then exits 0', async () => {
  const order: string[] = [];
  const { exited, exits, lines, uninstall } = setup([
    async () => {
      await new Promise((r) => setTimeout(r, 20));
      order.push('app');
    },
    () => order.push('db'),
  ]);
  try {
    process.emit(SIGNAL, SIGNAL);
    expect(await exited).toBe(0);
    expect(order).toEqual(['app', 'db']);
    expect(exits).toEqual([0]);
    expect(lines[0]).toBe(`Received ${SIGNAL}; shutting down`);
  } finally {
    uninstall();
  }
});

test('a failing step is logged, later steps still run, exit code is 1', async () => {
  const order: string[] = [];
  const { exited, lines, uninstall } = setup([
    () => {
      throw new Error('boom');
    },
    () => order.push('db'),
  ]);
  try {
    process.emit(SIGNAL, SIGNAL);
    expect(await exited).toBe(1);
    expect(order).toEqual(['db']);
    expect(lines).toContain('Shutdown step failed: boom');
  } finally {
    uninstall();
  }
});

test('a second signal forces exit 1 without waiting', async () => {
  let release: () => void = () => undefined;
  const { exits, uninstall } = setup([() => new Promise<void>((r) => (release = r))]);
  try {
    process.emit(SIGNAL, SIGNAL);
    process.emit(SIGNAL, SIGNAL);
    expect(exits).toEqual([1]);
    release();
  } finally {
    uninstall();
  }
  expect(process.listenerCount(SIGNAL)).toBe(0);
});
