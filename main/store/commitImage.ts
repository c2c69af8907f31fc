/**
 * What a commit writes: the serializer's image of the document, sealed with the MAC, and checked as
 * it is written. The frame (top-level fields, aliases, recovery data) is checked before anything is
 * encoded; each key or file record encoded afresh is checked while the image goes to its temp file
 * (durableFileAdapter.ts), so a problem fails the commit before the file is published without
 * holding up a good one. Records not encoded afresh are the bytes of records checked when they were
 * loaded or written: a file sealed this way is taken at load as written (documentIntegrity.ts).
 */
import type { FileInventoryRecord } from '../core/fileInventory.js';
import type { KeyRecord } from '../core/keyModel.js';
import { sealDocumentParts } from '../crypto/documentMac.js';
import { checkDocumentFrame, checkFileEntry, checkKeyEntry, documentFailure } from './documentSchema.js';
import type { DocumentSerializer } from './documentSerializer.js';
import type { FileImage } from './durableFileAdapter.js';
import type { VaultDocument } from './vaultDocument.js';

export function commitImage(doc: VaultDocument, serializer: DocumentSerializer, macKey: Buffer, file: string): FileImage {
  const keys: [string, KeyRecord][] = [];
  const files: [string, FileInventoryRecord][] = [];
  let parts: Buffer[];
  try {
    checkDocumentFrame(doc, (files, limit) => serializer.countFilesAtMost(files, limit));
    parts = serializer.serializeParts(doc, { key: (id, record) => keys.push([id, record]), file: (path, record) => files.push([path, record]) });
  } catch (err) {
    throw documentFailure(err, file);
  }
  const verify = (): void => {
    try {
      const seenVersionIds = new Set<string>();
      for (const [id, record] of keys) checkKeyEntry(record, id, seenVersionIds);
      for (const [path, record] of files) checkFileEntry(record, path);
    } catch (err) {
      throw documentFailure(err, file);
    }
  };
  return { parts: sealDocumentParts(parts, macKey), verify };
}
