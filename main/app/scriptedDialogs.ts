/**
 * A DialogPort for tests and the e2e harness: answers come from a script the test writes in
 * advance, and every dialog main asked for is recorded, so a test can assert what the person
 * would have been shown. Anything unscripted is answered as a person cancelling would.
 */
import type { ConfirmRequest, DialogPort, OpenFilesRequest, SaveFileRequest } from './nativeDialogs.js';

export type ShownDialog =
  | ({ kind: 'openFiles' } & OpenFilesRequest)
  | ({ kind: 'saveFile' } & SaveFileRequest)
  | ({ kind: 'confirm' } & ConfirmRequest)
  | { kind: 'showItemInFolder'; path: string };

export class ScriptedDialogs implements DialogPort {
  readonly shown: ShownDialog[] = [];
  private readonly opens: string[][] = [];
  private readonly saves: (string | null)[] = [];
  private readonly confirms: boolean[] = [];

  /** The next open dialog returns these paths. */
  willOpen(paths: string[]): this {
    this.opens.push(paths);
    return this;
  }
  /** The next save dialog returns this path (null: cancelled). */
  willSave(path: string | null): this {
    this.saves.push(path);
    return this;
  }
  /** The next confirmation is accepted (true) or declined (false). */
  willConfirm(answer: boolean): this {
    this.confirms.push(answer);
    return this;
  }

  confirmations(): ConfirmRequest[] {
    return this.shown.filter((d): d is { kind: 'confirm' } & ConfirmRequest => d.kind === 'confirm');
  }

  async openFiles(req: OpenFilesRequest): Promise<string[]> {
    this.shown.push({ kind: 'openFiles', ...req });
    return this.opens.shift() ?? [];
  }
  async saveFile(req: SaveFileRequest): Promise<string | null> {
    this.shown.push({ kind: 'saveFile', ...req });
    return this.saves.length > 0 ? (this.saves.shift() ?? null) : null;
  }
  showItemInFolder(path: string): void {
    this.shown.push({ kind: 'showItemInFolder', path });
  }
  async confirm(req: ConfirmRequest): Promise<boolean> {
    this.shown.push({ kind: 'confirm', ...req });
    return this.confirms.shift() ?? false;
  }
}
