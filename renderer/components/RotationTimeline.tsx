/**
 * The key's rotations on a time axis: each version is a dot at its creation date (the primary one
 * ringed), "today" is a tick, and the next scheduled rotation is a hollow, dashed circle. A
 * destroyed version is a crossed-out hollow dot; one pending destruction has a red ring.
 */
import type { KeyVersionEntry } from '../../preload/contract';
import { formatDate } from '../format';

type RotationType = KeyVersionEntry['RotationType'];

const WIDTH = 640;
const HEIGHT = 96;
const PAD_X = 28;
const AXIS_Y = 44;

/** Words and a class for versions that are on their way out (issue 12). */
function retireMark(v: KeyVersionEntry): { cls: string; words: string } {
  if (v.KeyVersionState === 'Destroyed') return { cls: ' timeline-dot-destroyed', words: ' (destroyed)' };
  if (v.KeyVersionState === 'PendingDestruction') return { cls: ' timeline-dot-pending', words: ' (destruction scheduled)' };
  if (v.KeyVersionState === 'Disabled') return { cls: ' timeline-dot-disabled', words: ' (disabled)' };
  return { cls: '', words: '' };
}

const TYPE_LABEL: Record<RotationType, string> = {
  INITIAL: 'created',
  AUTOMATIC: 'automatic rotation',
  ON_DEMAND: 'rotated on demand',
  IMPORT: 'material imported',
};

export function RotationTimeline({ versions, nextRotation, now = Date.now() }: { versions: KeyVersionEntry[]; nextRotation?: string; now?: number }) {
  const points = versions
    .map((v) => ({ v, t: Date.parse(v.CreationDate) }))
    .filter((p) => !Number.isNaN(p.t))
    .sort((a, b) => a.t - b.t);
  const next = nextRotation ? Date.parse(nextRotation) : Number.NaN;
  const times = [...points.map((p) => p.t), now, ...(Number.isNaN(next) ? [] : [next])];
  let start = Math.min(...times);
  let end = Math.max(...times);
  if (end - start < 86_400_000) {
    // Everything happened within a day: show a day either side so dots do not sit on top of each other.
    start -= 86_400_000;
    end += 86_400_000;
  }
  const span = end - start;
  const x = (t: number) => PAD_X + ((t - start) / span) * (WIDTH - 2 * PAD_X);

  const clusters: { v: KeyVersionEntry; t: number }[][] = [];
  for (const p of points) {
    const current = clusters[clusters.length - 1];
    if (current && x(p.t) - x(current[0]!.t) < 12) current.push(p);
    else clusters.push([p]);
  }
  // Draw the primary version last, so its ring is on top.
  for (const c of clusters) c.sort((a, b) => Number(a.v.IsPrimary) - Number(b.v.IsPrimary));

  const destroyed = versions.filter((v) => v.KeyVersionState === 'Destroyed').length;
  const summary =
    `${points.length} version${points.length === 1 ? '' : 's'}` +
    (destroyed > 0 ? ` (${destroyed} destroyed)` : '') +
    (points.length > 0 ? `, first ${formatDate(points[0]?.v.CreationDate)}` : '') +
    (Number.isNaN(next) ? ', no rotation scheduled.' : `, next rotation ${formatDate(nextRotation)}.`);

  return (
    <figure className="timeline" data-testid="rotation-timeline">
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={`Rotation timeline: ${summary}`} preserveAspectRatio="xMidYMid meet">
        <line className="timeline-axis" x1={PAD_X} x2={WIDTH - PAD_X} y1={AXIS_Y} y2={AXIS_Y} />
        <g className="timeline-now">
          <line x1={x(now)} x2={x(now)} y1={AXIS_Y - 16} y2={AXIS_Y + 16} />
          <text x={x(now)} y={AXIS_Y - 20} textAnchor="middle">
            today
          </text>
        </g>
        {clusters.map((cluster) => {
          // Versions too close to tell apart at this scale share one dot, labelled with their count.
          const newest = cluster[cluster.length - 1]!;
          const cx = x(newest.t);
          return (
            <g key={newest.v.KeyVersionId}>
              {cluster.map(({ v, t }) => {
                const mark = retireMark(v);
                const vx = cluster.length > 1 ? cx : x(t);
                return (
                  <g key={v.KeyVersionId}>
                    <circle
                      className={`timeline-dot timeline-dot-${v.RotationType}${v.IsPrimary ? ' timeline-dot-primary' : ''}${mark.cls}`}
                      cx={vx}
                      cy={AXIS_Y}
                      r={v.IsPrimary ? 7 : 5.5}
                      data-testid="timeline-version"
                      data-state={v.KeyVersionState}
                    >
                      <title>{`${formatDate(v.CreationDate)}: ${TYPE_LABEL[v.RotationType] ?? v.RotationType}${v.IsPrimary ? ' (primary)' : ''}${mark.words}`}</title>
                    </circle>
                    {v.KeyVersionState === 'Destroyed' && (
                      <path
                        className="timeline-cross"
                        d={`M${vx - 5} ${AXIS_Y - 5} L${vx + 5} ${AXIS_Y + 5} M${vx + 5} ${AXIS_Y - 5} L${vx - 5} ${AXIS_Y + 5}`}
                        aria-hidden="true"
                      />
                    )}
                  </g>
                );
              })}
              {cluster.length > 1 && (
                <text className="timeline-count" x={cx} y={AXIS_Y + 24} textAnchor="middle">
                  {`${cluster.length} versions${cluster.some((p) => p.v.KeyVersionState === 'Destroyed') ? `, ${cluster.filter((p) => p.v.KeyVersionState === 'Destroyed').length} destroyed` : ''}`}
                </text>
              )}
            </g>
          );
        })}
        {!Number.isNaN(next) && (
          <circle className="timeline-next" cx={x(next)} cy={AXIS_Y} r={7} data-testid="timeline-next">
            <title>{`Next scheduled rotation: ${formatDate(nextRotation)}`}</title>
          </circle>
        )}
        <text className="timeline-label" x={PAD_X} y={HEIGHT - 10} textAnchor="start">
          {formatDate(new Date(start).toISOString())}
        </text>
        <text className="timeline-label" x={WIDTH - PAD_X} y={HEIGHT - 10} textAnchor="end">
          {formatDate(new Date(end).toISOString())}
        </text>
      </svg>
      <figcaption className="timeline-legend">
        <span>
          <svg width="12" height="12" aria-hidden="true">
            <circle className="timeline-dot" cx="6" cy="6" r="5" />
          </svg>{' '}
          past version
        </span>
        <span>
          <svg width="12" height="12" aria-hidden="true">
            <circle className="timeline-next" cx="6" cy="6" r="4.5" />
          </svg>{' '}
          next scheduled rotation
        </span>
        {destroyed > 0 && (
          <span data-testid="timeline-destroyed-legend">
            <svg width="12" height="12" aria-hidden="true">
              <circle className="timeline-dot timeline-dot-destroyed" cx="6" cy="6" r="4.5" />
              <path className="timeline-cross" d="M2 2 L10 10 M10 2 L2 10" />
            </svg>{' '}
            destroyed version
          </span>
        )}
        <span className="visually-hidden">{summary}</span>
      </figcaption>
    </figure>
  );
}
