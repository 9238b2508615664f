/**
 * The AES-128-GCM port. The core never imports node:crypto; the edge passes an implementation in
 * (src/adapters/node-aes-gcm.ts for Node, WebCrypto would do in a browser).
 */
export interface AesGcm {
  /**
   * Decrypts. With `tag`, verifies it over `aad` and the ciphertext and returns undefined when it does not verify.
   * Without `tag`, decrypts only (GCM's CTR stream from counter 2), as meters that send no tag require.
   */
  decrypt(key: Uint8Array, iv: Uint8Array, ciphertext: Uint8Array, aad?: Uint8Array, tag?: Uint8Array): Uint8Array | undefined;
  /** Encrypts and returns ciphertext and a 12-byte tag over `aad` (used by the encoder/simulator). */
  encrypt(key: Uint8Array, iv: Uint8Array, plaintext: Uint8Array, aad?: Uint8Array): { ciphertext: Uint8Array; tag: Uint8Array };
}
