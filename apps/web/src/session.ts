import { reactive } from 'vue';
import type { User } from './types';

/**
 * The signed-in user and their token, kept in sessionStorage: it survives a reload of the tab and
 * ends with it, and is never shared with other tabs or written to disk by the page.
 */
const KEY = 'xuncha.session';

interface Stored {
  token: string;
  user: User;
}

function restore(): Stored | null {
  try {
    const raw = sessionStorage.getItem(KEY);
    const value = raw ? (JSON.parse(raw) as Stored) : null;
    return value && typeof value.token === 'string' && value.user ? value : null;
  } catch {
    return null;
  }
}

const initial = restore();
export const session = reactive<{ token: string | null; user: User | null }>({
  token: initial?.token ?? null,
  user: initial?.user ?? null,
});

export function signIn(token: string, user: User): void {
  session.token = token;
  session.user = user;
  sessionStorage.setItem(KEY, JSON.stringify({ token, user }));
}

export function signOut(): void {
  session.token = null;
  session.user = null;
  sessionStorage.removeItem(KEY);
  for (const key of Object.keys(sessionStorage)) if (key.startsWith('xuncha.')) sessionStorage.removeItem(key);
}

/** Per-user preference (the round last chosen), forgotten at sign-out. */
export const remembered = {
  get: (name: string) => sessionStorage.getItem(`xuncha.pref.${name}`) ?? undefined,
  set: (name: string, value: string | undefined) =>
    value ? sessionStorage.setItem(`xuncha.pref.${name}`, value) : sessionStorage.removeItem(`xuncha.pref.${name}`),
};
