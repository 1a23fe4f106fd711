import { createHmac, timingSafeEqual } from 'node:crypto';
import {
  BundleRefused,
  bundleSha256,
  parseBundle,
  verifyBundle,
  verifyJsonSignature,
  type HandoverBundle,
} from './bundle.js';

/** The field kit (配置), version 1: what the office gives a team laptop for one round, signed with its key. */
export const KIT_FORMAT = 'xuncha-field-kit';
export const RECEIPT_FORMAT = 'xuncha-handover-receipt';

export interface KitUser {
  id: string;
  username: string;
  role: string;
  departmentId: string | null;
  displayName: string | null;
  /** The office's scrypt hash; the password itself never leaves the office. */
  passwordHash: string;
  mustChangePassword: boolean;
}

export interface KitBody {
  format: typeof KIT_FORMAT;
  version: 1;
  kitId: string;
  roundId: string;
  createdAt: string;
  office: { publicKey: string; fingerprint: string };
  /** One-time: the laptop proves with it, in its first bundle, that its key is the kit's. */
  enrolmentSecret: string;
  users: KitUser[];
  /** SHA-256 of the signed manifest of `bundle` (the round's stream and the units, with the office's chains). */
  bundleSha256: string;
}

export interface FieldKit {
  kit: KitBody;
  signature: string;
  bundle: HandoverBundle;
}

export interface ReceiptBody {
  format: typeof RECEIPT_FORMAT;
  version: 1;
  bundleSha256: string;
  roundId: string;
  /** The laptop key that signed the bundle. */
  signer: string;
  receivedAt: string;
  office: { publicKey: string; fingerprint: string };
}

export interface Receipt {
  receipt: ReceiptBody;
  signature: string;
}

/** The laptop's proof, under its own signature, that it holds the kit's enrolment secret. */
export function enrolmentProof(secret: string, kitId: string, signerFingerprint: string): string {
  return createHmac('sha256', secret).update(`${kitId}\n${signerFingerprint}`, 'utf8').digest('hex');
}

export function proofMatches(secret: string, kitId: string, signerFingerprint: string, proof: string): boolean {
  const expected = Buffer.from(enrolmentProof(secret, kitId, signerFingerprint), 'hex');
  const given = Buffer.from(/^[0-9a-f]{64}$/.test(proof) ? proof : '', 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Signature of the kit by the key it names, the bundle inside by that same key and the one the kit signs. */
export async function verifyKit(value: unknown): Promise<{ kit: FieldKit; files: Map<string, Buffer> }> {
  const k = value as Partial<FieldKit> | null;
  const body = k?.kit;
  if (!body || typeof body !== 'object' || body.format !== KIT_FORMAT || body.version !== 1) {
    throw new BundleRefused(
      `Not a field kit: kit.format must be "${KIT_FORMAT}" and kit.version 1`,
      {
        reason: 'not a field kit',
      },
      true,
    );
  }
  if (
    typeof k.signature !== 'string' ||
    typeof body.office?.publicKey !== 'string' ||
    !verifyJsonSignature(body, k.signature, body.office.publicKey)
  ) {
    throw new BundleRefused('The field kit was altered: its signature does not verify with the office key it names', {
      reason: 'the kit signature does not verify',
    });
  }
  const bundle = parseBundle(k.bundle);
  if (!bundle.manifest || bundleSha256(bundle.manifest) !== body.bundleSha256) {
    throw new BundleRefused('The field kit was altered: its bundle is not the one the kit signs', {
      reason: 'the kit bundle differs from the signed kit',
    });
  }
  const files = await verifyBundle(bundle, { acceptKey: (fp) => fp === body.office.fingerprint });
  return { kit: { ...(k as FieldKit), bundle }, files };
}
