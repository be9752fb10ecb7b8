/**
 * Claims as checks: an experiment declares the literature's claims it reproduces as predicates over its
 * results; a run evaluates them into a claim / measured / holds table at the end of its summary, and
 * `bnlab run --check` reads those tables back and fails when a claim does not hold, so that a notebook
 * is also a reproducibility test.
 */
import { keepUnits } from './numbers';

/** What a check measured, and whether the claim holds (undefined: not measurable with these parameters). */
export interface ClaimCheck {
  measured: string;
  holds: boolean | undefined;
}

/** A claim in words and the predicate that checks it against an experiment's results `R`. */
export interface Claim<R> {
  claim: string;
  check(results: R): ClaimCheck;
}

/** An evaluated claim, as the summary's table shows it. `holds: null` when it could not be measured. */
export interface ClaimResult {
  claim: string;
  measured: string;
  holds: boolean | null;
}

export function checkClaims<R>(claims: readonly Claim<R>[], results: R): ClaimResult[] {
  return claims.map((c) => {
    const { measured, holds } = c.check(results);
    return { claim: c.claim, measured, holds: holds ?? null };
  });
}

/** The heading line that starts a claims table in a summary; `readClaimsTables` looks for it. */
export const CLAIMS_HEADING = '**Claims checked**';
const HOLDS_WORDS = { yes: '✓ holds', no: '✗ does not hold', na: '– not measured' } as const;

/** The summary's claims section: a heading and a claim / measured / holds table. */
export function claimsTable(results: readonly ClaimResult[]): string {
  if (results.length === 0) return '';
  const escape = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  return [
    `${CLAIMS_HEADING} (\`bnlab run --check\` fails when one does not hold):`,
    '',
    '| claim | measured | holds |',
    '|---|---|---|',
    ...results.map((r) => `| ${escape(r.claim)} | ${keepUnits(escape(r.measured))} | ${r.holds === null ? HOLDS_WORDS.na : r.holds ? HOLDS_WORDS.yes : HOLDS_WORDS.no} |`),
  ].join('\n');
}

/** Every claims table in a markdown text (as `claimsTable` writes them), in order. */
export function readClaimsTables(markdown: string): ClaimResult[] {
  const results: ClaimResult[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i]!.startsWith(CLAIMS_HEADING)) continue;
    // The heading, a blank line, the header row and the separator, then one row per claim.
    for (let j = i + 4; j < lines.length && lines[j]!.startsWith('|'); j++) {
      const cells = lines[j]!
        .slice(1, lines[j]!.endsWith('|') ? -1 : undefined)
        .split(/(?<!\\)\|/)
        .map((c) => c.trim().replace(/\\\|/g, '|'));
      if (cells.length !== 3) throw new Error(`a claims table row has ${cells.length} cells, not 3: ${lines[j]}`);
      const [claim, measured, holdsText] = cells as [string, string, string];
      const holds = holdsText === HOLDS_WORDS.yes ? true : holdsText === HOLDS_WORDS.no ? false : holdsText === HOLDS_WORDS.na ? null : undefined;
      if (holds === undefined) throw new Error(`a claims table row says neither "${HOLDS_WORDS.yes}", "${HOLDS_WORDS.no}" nor "${HOLDS_WORDS.na}": ${lines[j]}`);
      results.push({ claim, measured, holds });
    }
  }
  return results;
}

/** "in every seed" / "in 2 of 3 seeds": how many of `values` satisfy `ok`. */
export function everySeed(values: readonly number[], ok: (v: number) => boolean): { holds: boolean; words: string } {
  const passing = values.filter(ok).length;
  return { holds: values.length > 0 && passing === values.length, words: values.length === 0 ? 'no seed measured' : values.length === 1 ? (passing === 1 ? 'the one seed' : 'not the one seed') : passing === values.length ? `all ${values.length} seeds` : `${passing} of ${values.length} seeds` };
}
