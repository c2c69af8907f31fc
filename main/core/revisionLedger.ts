/** Where a vault store keeps its revision floor (the keychain in the app, memory in unit tests). */
export interface RevisionLedger {
  /** The recorded floor, or null when none was ever written (a new or never-MACed vault). */
  read(): Promise<number | null>;
  /** Records `revision` as durable on disk. */
  settle(revision: number): Promise<void>;
}
