// Node module hook: `import ... from 'electron'` in the built main bundle loads the mock instead.
let mockUrl;
export function initialize(data) {
  mockUrl = data.mockUrl;
}
export async function resolve(specifier, context, nextResolve) {
  if (specifier === 'electron') return { url: mockUrl, shortCircuit: true };
  return nextResolve(specifier, context);
}
