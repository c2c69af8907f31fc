/** age v1 (c2sp.org/age) on node:crypto: header, STREAM payload, X25519, scrypt, armor. */
export {
  createHeader,
  decryptBuffer,
  decryptStream,
  encryptBuffer,
  encryptStream,
  readHeader,
  rewrapHeader,
  unwrapFileKey,
  wrapFileKey,
  type ByteSource,
  type DecryptOptions,
  type EncryptOptions,
} from './age.js';
export { armor, ArmorDecoder, ArmorEncoder, dearmor, looksArmored, sniffArmor, ARMOR_BEGIN, ARMOR_END } from './armor.js';
export { AgeDecryptionError, type AgeFailureStage } from './errors.js';
export {
  computeHeaderMac,
  formatHeader,
  formatHeaderWithoutMac,
  parseHeader,
  verifyHeaderMac,
  type HeaderParseResult,
  type ParsedHeader,
  type Stanza,
} from './header.js';
export {
  DEFAULT_MAX_SCRYPT_WORK_FACTOR,
  DEFAULT_SCRYPT_WORK_FACTOR,
  parseIdentityFile,
  parseRecipient,
  ScryptIdentity,
  ScryptRecipient,
  X25519Identity,
  X25519Recipient,
  type Identity,
  type Recipient,
} from './recipients.js';
export {
  canReleaseBuffers,
  CHUNK_SIZE,
  CHUNKS_PER_BLOCK,
  derivePayloadKey,
  ENCRYPTED_CHUNK_SIZE,
  openBlockInPlace,
  openChunkAt,
  PAYLOAD_NONCE_SIZE,
  PLAIN_BLOCK_SIZE,
  releaseBuffer,
  SEALED_BLOCK_SIZE,
  sealBlockInPlace,
  TAG_SIZE,
} from './chunks.js';
export { failedChunkError, payloadCiphertextSize, payloadPlaintextSize, StreamDecryptor, StreamEncryptor } from './stream.js';
