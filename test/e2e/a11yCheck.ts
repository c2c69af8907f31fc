/**
 * A small axe-style check of names and roles, run in the page (a11yAudit.page.js, sent as source
 * with page.evaluate). It reports, per rule, the offending elements as `tag#id.class "text"`:
 *   - name: every visible button, link, input, select, textarea and ARIA widget has an accessible
 *     name (aria-labelledby, aria-label, a <label>, alt, text content or title; not a placeholder);
 *   - landmarks: exactly one main, and a navigation where the window has one (not when blocked);
 *   - duplicate-id: no id is used twice;
 *   - idref: aria-labelledby / aria-describedby / aria-controls / label[for] point at existing ids;
 *   - heading-order: one h1, and no heading skips a level on the way down.
 */
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';

// A function expression; a formatter may end it with a semicolon, which the call below must not see.
const AUDIT_SOURCE = readFileSync(new URL('./a11yAudit.page.js', import.meta.url), 'utf8')
  .trim()
  .replace(/;$/, '');

export interface AuditFinding {
  rule: 'name' | 'landmarks' | 'duplicate-id' | 'idref' | 'heading-order';
  element: string;
  detail: string;
}

/** The findings on the page as it is now. */
export async function auditNamesAndRoles(page: Page, opts: { expectNavigation?: boolean } = {}): Promise<AuditFinding[]> {
  // Sent as source: the app's CSP blocks eval inside the page, not a DevTools evaluation.
  const options = JSON.stringify({ expectNavigation: opts.expectNavigation ?? true });
  return (await page.evaluate(`${AUDIT_SOURCE.trim()}(${options})`)) as AuditFinding[];
}
