/**
 * A load generator in a process of its own, so that its CPU is not the server's. The parent forks the runner's
 * compiled file with CHILD_FLAG and sends it a plan; the child answers phase marks (the parent takes its CPU
 * snapshots there; a mark may ask to wait for the parent's `go`) and then one result.
 */
import { fork, type ChildProcess } from 'node:child_process';

export const CHILD_FLAG = '--load-runner-child';

export type ChildMessage<M, R> =
  { type: 'mark'; mark: M } | { type: 'result'; result: R } | { type: 'error'; error: string };
export type ParentMessage<P> = { type: 'plan'; plan: P } | { type: 'go' };

/** Marks the child; `waitForGo` holds it until the parent answers `go` (e.g. until its snapshot is taken). */
export type Mark<M> = (mark: M, waitForGo?: boolean) => Promise<void>;

/** In the runner's module: when this process is the forked child, runs `run` on the plan it is sent. */
export function serveAsLoadGenerator<P, M, R>(run: (plan: P, mark: Mark<M>) => Promise<R>): void {
  if (!process.argv.includes(CHILD_FLAG) || !process.send) return;
  const send = (m: ChildMessage<M, R>) => new Promise<void>((resolve) => process.send!(m, () => resolve()));
  let go: (() => void) | undefined;
  const mark: Mark<M> = async (m, waitForGo = false) => {
    const acknowledged = waitForGo ? new Promise<void>((resolve) => (go = resolve)) : undefined;
    await send({ type: 'mark', mark: m });
    await acknowledged;
  };
  process.on('message', (m: ParentMessage<P>) => {
    if (m.type === 'go') {
      go?.();
      return;
    }
    run(m.plan, mark)
      .then((result) => send({ type: 'result', result }))
      .then(
        () => process.exit(0),
        async (error: unknown) => {
          await send({ type: 'error', error: (error as Error).stack ?? String(error) }).catch(() => undefined);
          process.exit(1);
        },
      );
  });
  // The parent going away ends the child too.
  process.on('disconnect', () => process.exit(1));
}

/**
 * In the benchmark: forks `file` as a load generator with `plan`. `onMark` runs for every mark (its `go` releases a
 * mark that waits); the result is answered once every mark's handler has finished (the child may exit meanwhile).
 */
export function forkLoadGenerator<P, M, R>(
  file: string,
  plan: P,
  timeoutMs: number,
  onMark: (mark: M, go: () => void) => Promise<void> | void,
): { child: ChildProcess; result: Promise<R> } {
  const child = fork(file, [CHILD_FLAG], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const result = new Promise<R>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error('the load generator did not answer in time'));
      child.kill('SIGKILL');
    }, timeoutMs);
    const marks: Promise<void>[] = [];
    let answered = false;
    const go = () => {
      if (child.connected) child.send({ type: 'go' } satisfies ParentMessage<P>);
    };
    child.on('message', (m: ChildMessage<M, R>) => {
      if (m.type === 'mark') {
        const handled = Promise.resolve().then(() => onMark(m.mark, go));
        handled.catch(reject);
        marks.push(handled);
      } else if (m.type === 'result') {
        answered = true;
        Promise.all(marks).then(() => resolve(m.result), reject);
      } else reject(new Error(`load generator failed: ${m.error}`));
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (!answered) reject(new Error(`load generator exited (${code ?? signal}) without a result`));
    });
    child.once('error', reject);
    child.send({ type: 'plan', plan } satisfies ParentMessage<P>);
  });
  return { child, result };
}
