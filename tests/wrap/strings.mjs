// strings.component.wasm: root-level string exports, test:strings/imports
// (a string parameter, a string result).
export function host(t) {
  return {
    'test:strings/imports': {
      takeBasic: t.fn('take-basic', () => {}),
      returnUnicode: t.fn('return-unicode', () => '🚀🚀🚀 𠈄𓀀'),
    },
  };
}

export async function run(t) {
  const calls = [
    ['test-imports', (e) => e.testImports()],
    ['return-empty', (e) => e.returnEmpty()],
  ];
  for (const s of ['str', '', '🚀🚀🚀 𠈄𓀀', 'latin1 \u00e9\u00ff', 'x'.repeat(5000)])
    calls.push([`roundtrip(${JSON.stringify(s.slice(0, 24))})`, (e) => e.roundtrip(s)]);
  await t.seq(calls);
}
