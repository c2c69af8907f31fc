// The names-and-roles audit that runs IN THE PAGE (plain browser JavaScript, sent as source by
// a11yCheck.ts, which documents the rules). A function expression of one argument:
// { expectNavigation: boolean } → [{ rule, element, detail }].
// eslint-disable-next-line @typescript-eslint/no-unused-expressions -- an expression, evaluated in the page
(function auditPage(opts) {
  const findings = [];
  const describe = (el) => {
    const id = el.id ? `#${el.id}` : '';
    const cls = typeof el.className === 'string' && el.className.trim() ? `.${el.className.trim().split(/\s+/).join('.')}` : '';
    const testId = el.getAttribute('data-testid');
    const text = (el.textContent ?? '').replace(/\s+/g, ' ').trim().slice(0, 40);
    return `${el.tagName.toLowerCase()}${id}${cls}${testId ? `[data-testid=${testId}]` : ''}${text ? ` "${text}"` : ''}`;
  };
  const visible = (el) => {
    if (el.closest('[hidden],[aria-hidden="true"]')) return false;
    const style = getComputedStyle(el);
    return style.display !== 'none' && style.visibility !== 'hidden' && el.getClientRects().length > 0;
  };
  const textOf = (el) => {
    // Text content with the alt of images, skipping what is hidden from assistive technology.
    let out = '';
    el.childNodes.forEach((n) => {
      if (n.nodeType === Node.TEXT_NODE) out += n.textContent ?? '';
      else if (n instanceof HTMLImageElement) out += n.alt;
      else if (n instanceof Element && n.getAttribute('aria-hidden') !== 'true') out += textOf(n);
    });
    return out;
  };
  const accessibleName = (el) => {
    const labelledBy = el.getAttribute('aria-labelledby');
    if (labelledBy) {
      const text = labelledBy
        .split(/\s+/)
        .map((id) => document.getElementById(id))
        .filter((x) => x !== null)
        .map((x) => textOf(x))
        .join(' ')
        .trim();
      if (text) return text;
    }
    const aria = el.getAttribute('aria-label')?.trim();
    if (aria) return aria;
    if (el instanceof HTMLInputElement || el instanceof HTMLSelectElement || el instanceof HTMLTextAreaElement) {
      const labels = el.labels ? [...el.labels].map((l) => textOf(l).trim()).filter(Boolean) : [];
      if (labels.length > 0) return labels.join(' ');
      if (el instanceof HTMLInputElement && ['button', 'submit', 'reset'].includes(el.type)) return el.value;
    } else {
      const own = textOf(el).trim();
      if (own) return own;
    }
    if (el instanceof HTMLImageElement) return el.alt;
    return el.getAttribute('title')?.trim() ?? '';
  };

  // name
  const widgets = document.querySelectorAll(
    'button, a[href], input:not([type="hidden"]), select, textarea, [role="button"], [role="link"], [role="checkbox"], [role="switch"], [role="tab"], [role="menuitem"], [role="option"], [role="combobox"], [role="textbox"], [role="slider"], [role="dialog"], [role="alertdialog"], dialog',
  );
  for (const el of widgets) {
    if (!visible(el)) continue;
    if (!accessibleName(el))
      findings.push({ rule: 'name', element: describe(el), detail: `a ${el.getAttribute('role') ?? el.tagName.toLowerCase()} without an accessible name` });
  }

  // landmarks
  const mains = [...document.querySelectorAll('main, [role="main"]')].filter(visible);
  const navs = [...document.querySelectorAll('nav, [role="navigation"]')].filter(visible);
  if (mains.length !== 1) findings.push({ rule: 'landmarks', element: 'document', detail: `${mains.length} main landmarks (expected exactly one)` });
  if (opts.expectNavigation && navs.length === 0) {
    findings.push({ rule: 'landmarks', element: 'document', detail: 'no navigation landmark' });
  }

  // duplicate-id
  const seen = new Map();
  for (const el of document.querySelectorAll('[id]')) seen.set(el.id, (seen.get(el.id) ?? 0) + 1);
  for (const [id, count] of seen) if (count > 1) findings.push({ rule: 'duplicate-id', element: `#${id}`, detail: `used ${count} times` });

  // idref
  for (const attr of ['aria-labelledby', 'aria-describedby', 'aria-controls']) {
    for (const el of document.querySelectorAll(`[${attr}]`)) {
      for (const id of (el.getAttribute(attr) ?? '').split(/\s+/).filter(Boolean)) {
        if (!document.getElementById(id)) findings.push({ rule: 'idref', element: describe(el), detail: `${attr} points at missing #${id}` });
      }
    }
  }
  for (const label of document.querySelectorAll('label[for]')) {
    const id = label.getAttribute('for') ?? '';
    if (!document.getElementById(id)) findings.push({ rule: 'idref', element: describe(label), detail: `for points at missing #${id}` });
  }

  // heading-order
  const headings = [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')].filter(visible);
  const h1s = headings.filter((h) => h.tagName === 'H1').length;
  if (h1s !== 1) findings.push({ rule: 'heading-order', element: 'document', detail: `${h1s} h1 headings (expected one)` });
  let previous = 0;
  for (const h of headings) {
    const level = Number(h.tagName.slice(1));
    if (previous > 0 && level > previous + 1) findings.push({ rule: 'heading-order', element: describe(h), detail: `h${level} follows h${previous}` });
    if (!accessibleName(h)) findings.push({ rule: 'heading-order', element: describe(h), detail: 'an empty heading' });
    previous = level;
  }
  return findings;
});
