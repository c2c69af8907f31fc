/**
 * Where JSON text first goes wrong, as a character offset — so an error message can point at the
 * problem without quoting the text (which may hold a secret). V8's own messages sometimes quote
 * the whole input. Iterative (an explicit stack), so deeply nested input cannot overflow.
 */
const WS = new Set([' ', '\t', '\n', '\r']);
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const LITERAL = /true|false|null/y;
const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;

/** The offset of the first error in `text`, or undefined when it is valid JSON. */
export function jsonErrorPosition(text: string): number | undefined {
  let i = 0;
  const stack: ('[' | '{')[] = [];
  const skip = (): void => {
    while (i < text.length && WS.has(text[i]!)) i++;
  };
  const match = (re: RegExp): boolean => {
    re.lastIndex = i;
    if (!re.test(text)) return false;
    i = re.lastIndex;
    return true;
  };
  // expect: 'value' (a value must start here) or 'after' (a value just ended)
  let expect: 'value' | 'after' = 'value';
  for (;;) {
    skip();
    if (expect === 'value') {
      const c = text[i];
      if (c === '[' || c === '{') {
        stack.push(c);
        i++;
        skip();
        if (text[i] === (c === '[' ? ']' : '}')) {
          stack.pop();
          i++;
          expect = 'after';
          continue;
        }
        if (c === '{') {
          if (!match(STRING)) return i;
          skip();
          if (text[i] !== ':') return i;
          i++;
        }
        continue;
      }
      if (!(match(STRING) || match(NUMBER) || match(LITERAL))) return i;
      expect = 'after';
      continue;
    }
    const top = stack[stack.length - 1];
    if (top === undefined) return i === text.length ? undefined : i;
    const c = text[i];
    if (c === ',') {
      i++;
      if (top === '{') {
        skip();
        if (!match(STRING)) return i;
        skip();
        if (text[i] !== ':') return i;
        i++;
      }
      expect = 'value';
    } else if ((top === '[' && c === ']') || (top === '{' && c === '}')) {
      stack.pop();
      i++;
    } else {
      return i;
    }
  }
}
