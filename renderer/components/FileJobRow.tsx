/**
 * One file job: its progress and a cancel button while it runs, then what happened in a sentence
 * (ids one click away), or the error with what can be done about it: Replace / Keep both when the
 * output name is taken, Encrypt again / Decrypt instead for an `.age` file dropped to encrypt.
 */
import { useMemo } from 'react';
import { keyLabel, formatBytes } from '../format';
import { baseName, describeResult, operationWords, outputName, type KeyNames } from '../fileWords';
import type { FileJob } from '../stores/filesStore';
import { useFilesStore } from '../stores/filesStore';
import { useKeysStore } from '../stores/keysStore';
import { vault } from '../bridge';
import { attempt } from '../stores/uiStore';
import { ErrorText } from './ErrorText';
import { ProgressBar } from './ProgressBar';

const STATUS_TEXT: Record<FileJob['status'], string> = {
  running: 'Working…',
  done: 'Done',
  failed: 'Failed',
  cancelled: 'Cancelled',
  held: 'Waiting for you',
};

function useKeyNames(): KeyNames {
  const keys = useKeysStore((s) => s.keys);
  const versionDates = useFilesStore((s) => s.versionDates);
  return useMemo(() => {
    const names = new Map(keys.map((k) => [k.KeyId, keyLabel(k)]));
    return {
      keyName: (id) => names.get(id.slice(id.lastIndexOf('/') + 1)),
      versionDate: (keyId, versionId) => versionDates[keyId.slice(keyId.lastIndexOf('/') + 1)]?.[versionId],
    };
  }, [keys, versionDates]);
}

export function FileJobRow({ job }: { job: FileJob }) {
  const { cancel, resolveHeld, resolveClash, showInFolder, retry } = useFilesStore.getState();
  const names = useKeyNames();
  const keys = useKeysStore((s) => s.keys);
  // The key an error is about, named by alias in the message, with the fix when there is one.
  const errorKey = job.error ? keys.find((k) => job.error!.message.includes(k.KeyId)) : undefined;
  const shownError = job.error && errorKey ? { ...job.error, message: job.error.message.split(errorKey.KeyId).join(keyLabel(errorKey)) } : job.error;
  const enableAndRetry = async () => {
    if (!errorKey) return;
    const res = await attempt(`Enable ${keyLabel(errorKey)}`, () => vault().enableKey({ KeyId: errorKey.KeyId }));
    if (res) {
      useKeysStore.getState().upsert(res.KeyMetadata);
      retry(job.jobId);
    }
  };
  const r = job.result;
  const words = r && job.status === 'done' ? describeResult(r, names) : undefined;
  const keyId = r?.KeyId ?? r?.Inspection?.KeyId;
  const versionId = r?.KeyVersionId ?? r?.Inspection?.KeyVersionId;
  const clash = job.status === 'failed' && job.error?.name === 'AlreadyExistsException' && (job.operation === 'Encrypt' || job.operation === 'Decrypt');
  const wrote = r && job.status === 'done' && r.Operation !== 'Inspect' && !r.AlreadyCurrent && r.OutputPath;
  const verb = operationWords(job.operation);

  return (
    <li
      className={`file-job file-job-${job.status}`}
      data-testid="file-job"
      data-status={job.status}
      data-file-name={job.fileName}
      data-operation={job.operation}
    >
      <div className="file-job-head">
        <span className="file-job-name">{job.fileName}</span>
        <span className="muted">{job.status === 'running' ? verb.doing : verb.done}</span>
        <span className={clash ? 'badge badge-warn' : `badge badge-job-${job.status}`} data-testid="file-job-status">
          {clash ? 'Name taken' : STATUS_TEXT[job.status]}
        </span>
        {job.status === 'running' && (
          <button type="button" className="button button-small" onClick={() => void cancel(job.jobId)} aria-label={`Cancel ${job.fileName}`}>
            Cancel
          </button>
        )}
        {wrote && (
          <button
            type="button"
            className="button button-small"
            onClick={() => void showInFolder(job.jobId)}
            data-testid="file-job-show"
            aria-label={`Show ${baseName(r.OutputPath ?? '')} in its folder`}
          >
            Show in folder
          </button>
        )}
      </div>
      {job.status === 'running' && (
        <div className="file-job-progress">
          <ProgressBar done={job.bytesDone} total={job.bytesTotal} label={`Progress of ${job.fileName}`} />
          <span className="muted">{job.bytesTotal > 0 ? `${formatBytes(job.bytesDone)} of ${formatBytes(job.bytesTotal)}` : 'starting…'}</span>
        </div>
      )}
      {job.status === 'held' && (
        <div className="file-job-ask" role="group" aria-label={`${job.fileName} is already encrypted`} data-testid="file-job-held">
          <p>
            {job.fileName} looks encrypted already (it ends in .age). Encrypting it again makes {job.fileName}.age, which needs two steps to open.
          </p>
          <div className="button-row">
            <button type="button" className="button button-primary" onClick={() => resolveHeld(job.jobId, 'decrypt')} data-testid="file-job-decrypt-instead">
              Decrypt instead
            </button>
            <button type="button" className="button" onClick={() => resolveHeld(job.jobId, 'encrypt')} data-testid="file-job-encrypt-again">
              Encrypt again
            </button>
            <button type="button" className="button" onClick={() => resolveHeld(job.jobId, 'skip')} data-testid="file-job-skip">
              Skip
            </button>
          </div>
        </div>
      )}
      {words && r && (
        <div className="file-job-result" data-testid="file-job-result">
          <p className="file-job-sentence" data-testid="file-job-sentence">
            {words.sentence}
          </p>
          {words.note && <p className="muted">{words.note}</p>}
          <details className="file-job-ids">
            <summary>Details</summary>
            <dl>
              {r.OutputPath && r.Operation !== 'Inspect' && (
                <>
                  <dt>Saved as</dt>
                  <dd className="mono" data-testid="file-job-output">
                    {r.OutputPath}
                  </dd>
                </>
              )}
              {keyId && (
                <>
                  <dt>Key id</dt>
                  <dd className="mono" data-testid="file-job-key">
                    {keyId}
                  </dd>
                </>
              )}
              {versionId && (
                <>
                  <dt>Version id</dt>
                  <dd className="mono" data-testid="file-job-version">
                    {versionId}
                  </dd>
                </>
              )}
              {r.Inspection && (
                <>
                  <dt>Size</dt>
                  <dd>
                    {formatBytes(r.Inspection.Size)} on disk{r.Inspection.Armored ? ' (armored text)' : ''}
                    {r.Inspection.PlaintextSize !== undefined && `, ${formatBytes(r.Inspection.PlaintextSize)} of content`}
                  </dd>
                </>
              )}
            </dl>
          </details>
        </div>
      )}
      {clash && (
        <div className="file-job-ask" role="group" aria-label={`The output of ${job.fileName} already exists`} data-testid="file-job-clash">
          <p>{outputName(job.operation, job.fileName) ?? 'The output'} is already there. Replace it, or keep both and save this one under a new name?</p>
          <div className="button-row">
            <button type="button" className="button" onClick={() => resolveClash(job.jobId, 'replace')} data-testid="file-job-replace">
              Replace it…
            </button>
            <button type="button" className="button button-primary" onClick={() => resolveClash(job.jobId, 'keepBoth')} data-testid="file-job-keep-both">
              Keep both
            </button>
          </div>
        </div>
      )}
      {shownError && !clash && <ErrorText error={shownError} action={`${verb.done} ${job.fileName}`} />}
      {job.status === 'failed' && job.error?.name === 'DisabledException' && errorKey?.KeyState === 'Disabled' && (
        <div className="button-row file-job-fix">
          <button type="button" className="button button-primary" onClick={() => void enableAndRetry()} data-testid="file-job-enable-retry">
            Enable {keyLabel(errorKey)} and try again
          </button>
        </div>
      )}
    </li>
  );
}
