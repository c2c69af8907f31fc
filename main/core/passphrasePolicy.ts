/**
 * The one policy for passphrases, used by every path that accepts one (CLI, app, service):
 * - every passphrase, new or given, is a string of 1..MAX_PASSPHRASE_CHARACTERS characters;
 * - a passphrase that is about to PROTECT something (recovery kit, backup) must also be at least
 *   MIN_PASSPHRASE_CHARACTERS long and strong by the zxcvbn estimator (score >= MIN_PASSPHRASE_SCORE):
 *   it is the only thing between a stolen vault.json or backup and an offline guessing attack.
 * The estimator and its dictionaries (~1.5 MB) are loaded on first use only.
 */
import type { ZxcvbnFactory } from '@zxcvbn-ts/core';
import { ValidationException } from './errors.js';

export const MIN_PASSPHRASE_CHARACTERS = 8;
/** One cap for every passphrase (recovery, backup, stored passphrases, files of them). */
export const MAX_PASSPHRASE_CHARACTERS = 1024;
/**
 * zxcvbn's 0..4 scale; 3 means "about 10^10 guesses or more", which at scrypt 2^20 (~1 s per guess
 * on one core) is centuries on a desktop and still thousands of GPU-years-equivalent of memory-hard work.
 */
export const MIN_PASSPHRASE_SCORE = 3;

/** Words an attacker would try first against this product. */
const PRODUCT_WORDS = ['keyvault', 'key vault', 'vault', 'recovery', 'backup', 'passphrase', 'password', 'secret'];

let estimator: Promise<ZxcvbnFactory> | null = null;

function loadEstimator(): Promise<ZxcvbnFactory> {
  estimator ??= (async () => {
    const [core, common, en] = await Promise.all([import('@zxcvbn-ts/core'), import('@zxcvbn-ts/language-common'), import('@zxcvbn-ts/language-en')]);
    return new core.ZxcvbnFactory({
      dictionary: { ...common.dictionary, ...en.dictionary },
      graphs: common.adjacencyGraphs,
      translations: en.translations,
    });
  })();
  return estimator;
}

/** Checks the length cap of any passphrase (given or new); returns it unchanged. */
export function checkPassphraseLength(passphrase: unknown, what: string): string {
  if (typeof passphrase !== 'string' || passphrase.length === 0) throw new ValidationException(`The ${what} is required.`);
  // Counted in code points, as a person counts characters; a cheap UTF-16 bound first.
  if (passphrase.length > MAX_PASSPHRASE_CHARACTERS * 2 || [...passphrase].length > MAX_PASSPHRASE_CHARACTERS) {
    throw new ValidationException(`The ${what} must be at most ${MAX_PASSPHRASE_CHARACTERS} characters long.`);
  }
  return passphrase;
}

export interface PassphraseStrength {
  /** zxcvbn score, 0 (trivial) .. 4 (very strong). */
  score: number;
  warning: string;
  suggestions: string[];
}

/** The estimator's verdict on a passphrase (no policy applied). */
export async function estimatePassphraseStrength(passphrase: string): Promise<PassphraseStrength> {
  const result = (await loadEstimator()).check(passphrase, PRODUCT_WORDS);
  return { score: result.score, warning: result.feedback.warning ?? '', suggestions: [...result.feedback.suggestions] };
}

/**
 * Checks a passphrase that is about to protect something: the length rules, then the strength
 * estimate. A weak one is a ValidationException carrying the estimator's reason and suggestion.
 */
export async function checkNewPassphrase(passphrase: unknown, what: string): Promise<string> {
  const checked = checkPassphraseLength(passphrase, what);
  if ([...checked].length < MIN_PASSPHRASE_CHARACTERS) {
    throw new ValidationException(`The ${what} must be at least ${MIN_PASSPHRASE_CHARACTERS} characters long.`);
  }
  const strength = await estimatePassphraseStrength(checked);
  if (strength.score < MIN_PASSPHRASE_SCORE) {
    const reason = strength.warning ? ` ${strength.warning.replace(/\.?$/, '.')}` : '';
    const advice = strength.suggestions.length > 0 ? ` ${strength.suggestions.join(' ')}` : ' Use four or more random words.';
    throw new ValidationException(
      `The ${what} is too easy to guess (strength ${strength.score} of 4, at least ${MIN_PASSPHRASE_SCORE} is needed).${reason}${advice}`,
    );
  }
  return checked;
}
