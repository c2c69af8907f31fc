/**
 * Strength of a passphrase as it is typed, judged in main by the same estimator that will accept or
 * refuse it (so the meter and the verdict never disagree). Asked at most every 200 ms.
 */
import { useEffect, useState } from 'react';
import type { PassphraseEstimate } from '../../preload/contract';
import { vault } from '../bridge';

const WORDS = ['Very easy to guess', 'Easy to guess', 'Fair', 'Good', 'Strong'] as const;

/** The estimate for `passphrase`, or undefined while it is empty or being judged. */
export function usePassphraseEstimate(passphrase: string): PassphraseEstimate | undefined {
  const [judged, setJudged] = useState<{ for: string; estimate: PassphraseEstimate }>();
  useEffect(() => {
    if (passphrase === '') return;
    let live = true;
    const timer = setTimeout(() => {
      vault()
        .estimatePassphrase({ Passphrase: passphrase })
        .then((estimate) => live && setJudged({ for: passphrase, estimate }))
        .catch(() => undefined); // the meter is advice; the export itself still checks
    }, 200);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [passphrase]);
  return judged && judged.for === passphrase ? judged.estimate : undefined;
}

export function PassphraseMeter({ estimate, id }: { estimate: PassphraseEstimate | undefined; id?: string }) {
  if (!estimate) return null;
  const level = Math.max(0, Math.min(4, estimate.Score));
  const advice = [estimate.Warning, ...estimate.Suggestions].filter((t) => t !== '').join(' ');
  return (
    <div className="passphrase-meter" id={id} data-testid="passphrase-meter" data-score={level} data-acceptable={estimate.Acceptable}>
      <div
        className="meter-bar"
        role="meter"
        aria-label="Passphrase strength"
        aria-valuemin={0}
        aria-valuemax={4}
        aria-valuenow={level}
        aria-valuetext={WORDS[level]}
      >
        {[0, 1, 2, 3, 4].map((i) => (
          <span key={i} className={i <= level ? `meter-cell meter-on meter-${level}` : 'meter-cell'} />
        ))}
      </div>
      <span className={estimate.Acceptable ? 'meter-words' : 'meter-words help-problem'}>
        {WORDS[level]}
        {estimate.Acceptable ? '' : ': not accepted for a backup.'}
        {advice && !estimate.Acceptable ? ` ${advice}` : ''}
      </span>
    </div>
  );
}
