// js-yaml ships no types; the packaging test needs only this.
declare module 'js-yaml' {
  export function load(text: string): unknown;
}
