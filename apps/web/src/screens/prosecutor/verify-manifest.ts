import type { components } from '../../api/schema';
// The very function the service signs with (no imports of its own): the bytes checked here are the bytes it signed.
import { canonicalJson } from '@domain/canonical-json';

type SignedManifestView = components['schemas']['SignedManifestView'];
type PublishedKeyView = components['schemas']['PublishedKeyView'];

export interface SignatureCheck {
  /** true: every check passed; false: one failed (named in `problem`); null: this browser cannot check. */
  valid: boolean | null;
  keyId: string;
  /** What was checked, in order, in words. */
  checks: string[];
  problem?: string;
}

const hex = (buf: ArrayBuffer) => Array.from(new Uint8Array(buf), (b) => b.toString(16).padStart(2, '0')).join('');

function base64Bytes(b64: string): Uint8Array<ArrayBuffer> {
  const bin = atob(b64.replace(/\s+/g, ''));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** The DER bytes of a PEM public key ("-----BEGIN PUBLIC KEY-----" SPKI). */
function pemToDer(pem: string): Uint8Array<ArrayBuffer> {
  const body = pem.replace(/-----(BEGIN|END) PUBLIC KEY-----/g, '');
  return base64Bytes(body);
}

/**
 * Verifies a packet's Ed25519 signature in this browser (WebCrypto), the way the offline verifier
 * does (libs/packets packet-verifier): the signed bytes are the UTF-8 canonical JSON of the manifest
 * (keys sorted, no whitespace); they must hash to the recorded manifest SHA-256; the key must be one
 * the service publishes (GET /keys, found by the key id the signature names, its id recomputed
 * from the key itself), and the signature must verify with it. The key shipped with the manifest
 * view is not trusted: only a published one is.
 */
export async function verifyManifestSignature(
  view: SignedManifestView,
  publishedKeys: PublishedKeyView[],
  expected: { packetId: string; manifestSha256: string },
): Promise<SignatureCheck> {
  const keyId = view.signature.keyId;
  const checks: string[] = [];
  const fail = (problem: string): SignatureCheck => ({ valid: false, keyId, checks, problem });
  const subtle = globalThis.crypto?.subtle;
  if (!subtle)
    return {
      valid: null,
      keyId,
      checks,
      problem: 'This browser offers no cryptography here (the console must be opened over HTTPS).',
    };

  const m = view.manifest;
  if (m.packetId !== expected.packetId)
    return fail(`The manifest names packet ${String(m.packetId)}, not this packet.`);
  const signing = m.signing as { algorithm?: unknown; keyId?: unknown } | undefined;
  if (signing?.algorithm !== 'Ed25519' || signing.keyId !== keyId) {
    return fail(
      `The manifest says it was signed with ${String(signing?.keyId)}, but the signature names key ${keyId}.`,
    );
  }

  const bytes = new TextEncoder().encode(canonicalJson(m));
  const sha = hex(await subtle.digest('SHA-256', bytes));
  if (sha !== expected.manifestSha256 || sha !== view.manifestSha256) {
    return fail(`The manifest hashes to ${sha}, not to the recorded manifest SHA-256 ${expected.manifestSha256}.`);
  }
  checks.push(
    `The manifest (${bytes.length.toLocaleString()} bytes of canonical JSON) hashes to the recorded SHA-256.`,
  );

  const published = publishedKeys.find((k) => k.id === keyId);
  if (!published)
    return fail(`Key ${keyId} is not among the keys the service publishes, so the signature cannot be trusted.`);
  const der = pemToDer(published.publicKeyPem);
  const derId = `ed25519:${hex(await subtle.digest('SHA-256', der)).slice(0, 16)}`;
  if (derId !== keyId) return fail(`The published key listed as ${keyId} is in fact key ${derId}.`);
  checks.push(
    `Key ${keyId} is published by the service (${published.current ? 'its current key' : 'a key it signed with before'}), and its id matches the key itself.`,
  );

  let key: CryptoKey;
  try {
    key = await subtle.importKey('spki', der, { name: 'Ed25519' }, false, ['verify']);
  } catch {
    return {
      valid: null,
      keyId,
      checks,
      problem: 'This browser cannot check Ed25519 signatures (a recent Chrome, Edge, Firefox or Safari can).',
    };
  }
  const signature = base64Bytes(view.signature.value);
  if (signature.length !== 64)
    return fail(`The signature is ${signature.length} bytes long; an Ed25519 signature is 64.`);
  let ok: boolean;
  try {
    ok = await subtle.verify({ name: 'Ed25519' }, key, signature, bytes);
  } catch {
    ok = false;
  }
  if (!ok)
    return fail(
      `The signature does not match the manifest: the manifest or the signature was changed after signing, or another key signed it.`,
    );
  checks.push('The Ed25519 signature of the manifest verifies with that key.');
  return { valid: true, keyId, checks };
}
