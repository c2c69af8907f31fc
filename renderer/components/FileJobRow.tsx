/** One file job: its progress, a cancel button while it runs, then the result or the error. */
import type { FileJob } from '../stores/filesStore';
import { useFilesStore } from '../stores/filesStore';
import { formatBytes } from '../format';
import { ErrorText } from './ErrorText';
import { ProgressBar } from './ProgressBar';

const STATUS_TEXT: Record<FileJob['status'], string> = {
  running: 'Working…',
  done: 'Done',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

export function FileJobRow({ job }: { job: FileJob }) {
  const cancel = useFilesStore((s) => s.cancel);
  const r = job.result;
  return (
    <li className={`file-job file-job-${job.status}`} data-testid="file-job" data-status={job.status} data-file-name={job.fileName} data-operation={job.operation}>
      <div className="file-job-head">
        <span className="file-job-name">{job.fileName}</span>
        <span className="muted">{job.operation}</span>
        <span className={`badge badge-job-${job.status}`} data-testid="file-job-status">{STATUS_TEXT[job.status]}</span>
        {job.status === 'running' && (
          <button type="button" className="button button-small" onClick={() => void cancel(job.jobId)} aria-label={`Cancel ${job.fileName}`}>
            Cancel
          </button>
        )}
      </div>
      {job.status === 'running' && (
        <div className="file-job-progress">
          <ProgressBar done={job.bytesDone} total={job.bytesTotal} label={`Progress of ${job.fileName}`} />
          <span className="muted">{job.bytesTotal > 0 ? `${formatBytes(job.bytesDone)} of ${formatBytes(job.bytesTotal)}` : 'starting…'}</span>
        </div>
      )}
      {r && job.status === 'done' && (
        <dl className="file-job-result" data-testid="file-job-result">
          {r.OutputPath && (
            <>
              <dt>Output</dt>
              <dd className="mono" data-testid="file-job-output">{r.OutputPath}</dd>
            </>
          )}
          {(r.KeyId ?? r.Inspection?.KeyId) && (
            <>
              <dt>Key</dt>
              <dd className="mono" data-testid="file-job-key">{r.KeyId ?? r.Inspection?.KeyId}</dd>
            </>
          )}
          {(r.KeyVersionId ?? r.Inspection?.KeyVersionId) && (
            <>
              <dt>Key version</dt>
              <dd className="mono" data-testid="file-job-version">
                {r.KeyVersionId ?? r.Inspection?.KeyVersionId}
                {r.Inspection?.IsPrimaryVersion === false && <span className="badge badge-warn"> not the current primary</span>}
                {r.Inspection?.IsPrimaryVersion === true && <span className="badge badge-primary"> current primary</span>}
              </dd>
            </>
          )}
          {r.Inspection && (
            <>
              <dt>Details</dt>
              <dd>
                {formatBytes(r.Inspection.Size)} on disk{r.Inspection.Armored ? ', armored' : ''}
                {r.Inspection.PlaintextSize !== undefined && `, ${formatBytes(r.Inspection.PlaintextSize)} of content`}
                {`, recipients: ${r.Inspection.Stanzas.map((s) => s.Type).join(', ') || 'none'}`}
              </dd>
            </>
          )}
          <dt>Processed</dt>
          <dd>{r.AlreadyCurrent ? 'Nothing to do: already under the current primary version' : formatBytes(r.BytesProcessed)}</dd>
        </dl>
      )}
      {job.error && <ErrorText error={job.error} action={`${job.operation} ${job.fileName}`} />}
    </li>
  );
}
