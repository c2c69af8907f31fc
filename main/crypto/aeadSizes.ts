/**
 * Sizes of the AEAD constructions used in crypto/, defined once: AES-256-GCM (sealing, ciphertext
 * blobs) and ChaCha20-Poly1305 (the vault stanza; age's STREAM uses the same tag size) all use
 * 16-byte tags; GCM takes 12-byte IVs.
 */
export const AEAD_TAG_BYTES = 16;
export const GCM_IV_BYTES = 12;
