// variants.component.wasm: test:variants/test imported and exported
// (options, results, enums, variants whose payloads join to one flat
// type, typedefs), test-imports.
export function host(t) {
  const same = (label) => t.fn(label, (x) => x);
  return {
    'test:variants/test': {
      roundtripOption: same('roundtrip-option'),
      roundtripResult: t.fn('roundtrip-result', (x) => {
        if (x.tag === 'ok') return x.val;
        throw Object.assign(new Error('err'), { payload: Math.round(x.val) });
      }),
      roundtripEnum: same('roundtrip-enum'),
      invertBool: t.fn('invert-bool', (x) => !x),
      variantCasts: same('variant-casts'),
      variantZeros: same('variant-zeros'),
      variantTypedefs: t.fn('variant-typedefs', () => {}),
      variantEnums: t.fn('variant-enums', () =>
        [false, { tag: 'err', val: undefined }, 'a']),
    },
  };
}

export async function run(t) {
  const x = (e) => e['test:variants/test'];
  const f = Math.fround(5.2);
  await t.seq([
    ['test-imports', (e) => e.testImports()],
    ['test is the interface', (e) => e.test === x(e)],
    ['roundtrip-option(1)', (e) => x(e).roundtripOption(1)],
    ['roundtrip-option(null)', (e) => x(e).roundtripOption(null)],
    ['roundtrip-option(2.5)', (e) => x(e).roundtripOption(2.5)],
    ['roundtrip-result(ok 2)', (e) => x(e).roundtripResult({ tag: 'ok', val: 2 })],
    ['roundtrip-result(ok 4)', (e) => x(e).roundtripResult({ tag: 'ok', val: 4 })],
    ['roundtrip-result(err 5.2)', (e) => x(e).roundtripResult({ tag: 'err', val: f })],
    ['roundtrip-enum(a)', (e) => x(e).roundtripEnum('a')],
    ['roundtrip-enum(b)', (e) => x(e).roundtripEnum('b')],
    ['invert-bool(true)', (e) => x(e).invertBool(true)],
    ['invert-bool(false)', (e) => x(e).invertBool(false)],
    ['variant-casts(a)', (e) => x(e).variantCasts([
      { tag: 'a', val: 1 }, { tag: 'a', val: 2 }, { tag: 'a', val: 3 },
      { tag: 'a', val: 4n }, { tag: 'a', val: 5n }, { tag: 'a', val: 6 }])],
    ['variant-casts(b)', (e) => x(e).variantCasts([
      { tag: 'b', val: 1n }, { tag: 'b', val: 2 }, { tag: 'b', val: 3 },
      { tag: 'b', val: 4 }, { tag: 'b', val: 5 }, { tag: 'b', val: 6 }])],
    ['variant-zeros(a)', (e) => x(e).variantZeros([
      { tag: 'a', val: 1 }, { tag: 'a', val: 2n }, { tag: 'a', val: 3 },
      { tag: 'a', val: 4 }])],
    ['variant-zeros(b)', (e) => x(e).variantZeros([
      { tag: 'b' }, { tag: 'b' }, { tag: 'b' }, { tag: 'b' }])],
    ['variant-typedefs', (e) =>
      x(e).variantTypedefs(null, false, { tag: 'err', val: undefined })],
    ['variant-typedefs(some)', (e) =>
      x(e).variantTypedefs(7, true, { tag: 'ok', val: 3 })],
    ['variant-enums', (e) =>
      x(e).variantEnums(true, { tag: 'ok', val: undefined }, 'success')],
  ]);
}
