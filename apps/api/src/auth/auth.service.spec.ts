import { jest } from '@jest/globals';
import { JwtService } from '@nestjs/jwt';
import { AuthService, VERIFIED_TOKENS_KEPT } from './auth.service.js';
import type { UsersService } from './users.service.js';

const SECRET = 'a-test-secret-of-at-least-32-characters!';

function service(expiresIn = 60) {
  const jwt = new JwtService({
    secret: SECRET,
    signOptions: { algorithm: 'HS256', expiresIn },
    verifyOptions: { algorithms: ['HS256'] },
  });
  let verifications = 0;
  const verifyAsync = jwt.verifyAsync.bind(jwt);
  jwt.verifyAsync = (token: string, options?: object) => {
    verifications++;
    return verifyAsync(token, options);
  };
  const auth = new AuthService({} as UsersService, jwt);
  return { auth, jwt, verifications: () => verifications };
}

const user = { id: 'u-1', username: 'zhang.san', role: 'official' as const };

describe('AuthService.verifyToken keeps tokens it verified', () => {
  afterEach(() => jest.restoreAllMocks());

  it('verifies a token once, answers it again from memory, each answer a copy', async () => {
    const { auth, verifications } = service();
    const token = await auth.issueToken(user, 3);
    const first = await auth.verifyToken(token);
    expect(first).toEqual({ user, tokenVersion: 3 });
    first!.user.role = 'admin'; // a caller changing its answer changes no later one
    expect(await auth.verifyToken(token)).toEqual({ user, tokenVersion: 3 });
    expect(verifications()).toBe(1);
  });

  it('refuses a kept token from the second it expires, as jsonwebtoken does', async () => {
    const now = jest.spyOn(Date, 'now').mockReturnValue(Date.parse('2026-12-02T08:00:00.000Z'));
    const { auth, jwt } = service(60);
    const token = await auth.issueToken(user, 1);
    const { exp } = jwt.decode<{ exp: number }>(token);
    expect(await auth.verifyToken(token)).toBeDefined();
    now.mockReturnValue(exp * 1000 - 1);
    expect(await auth.verifyToken(token)).toBeDefined();
    now.mockReturnValue(exp * 1000);
    expect(await auth.verifyToken(token)).toBeUndefined();
    // jsonwebtoken agrees at that second, and the token is not kept any more.
    await expect(jwt.verifyAsync(token)).rejects.toThrow(/expired/);
    expect(await auth.verifyToken(token)).toBeUndefined();
  });

  it('keeps nothing of a token that fails: another signature, a changed claim, garbage', async () => {
    const { auth, verifications } = service();
    const token = await auth.issueToken(user, 1);
    const [head, body, signature] = token.split('.');
    const other = new JwtService({ secret: 'another-secret-of-at-least-32-characters' });
    const forged = other.sign({ sub: user.id, username: user.username, role: 'admin', tv: 1 });
    const changed = `${head}.${Buffer.from(JSON.stringify({ sub: user.id, username: user.username, role: 'admin', tv: 1 })).toString('base64url')}.${signature}`;
    for (const bad of [forged, changed, 'garbage', `${head}.${body}.`]) {
      expect(await auth.verifyToken(bad)).toBeUndefined();
      expect(await auth.verifyToken(bad)).toBeUndefined();
    }
    expect(verifications()).toBe(8);
    expect(await auth.verifyToken(token)).toEqual({ user, tokenVersion: 1 });
  });

  it(`keeps at most ${VERIFIED_TOKENS_KEPT} tokens, the oldest going first`, async () => {
    const { auth, verifications } = service();
    const tokens: string[] = [];
    for (let i = 0; i <= VERIFIED_TOKENS_KEPT; i++) tokens.push(await auth.issueToken({ ...user, id: `u-${i}` }, 1));
    for (const token of tokens) await auth.verifyToken(token);
    expect(verifications()).toBe(VERIFIED_TOKENS_KEPT + 1);
    await auth.verifyToken(tokens[VERIFIED_TOKENS_KEPT]);
    expect(verifications()).toBe(VERIFIED_TOKENS_KEPT + 1);
    await auth.verifyToken(tokens[0]);
    expect(verifications()).toBe(VERIFIED_TOKENS_KEPT + 2);
  });
});
