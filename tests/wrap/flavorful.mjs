// flavorful.component.wasm: test:flavorful/test imported and exported
// (records, variants, options, results, enums and type aliases holding
// strings and lists), test-imports.
let firstErr = true;

export function host(t) {
  return {
    'test:flavorful/test': {
      fListInRecord1: t.fn('f-list-in-record1', () => {}),
      fListInRecord2: t.fn('f-list-in-record2', () => ({ a: 'list_in_record2' })),
      fListInRecord3: t.fn('f-list-in-record3', () => ({ a: 'list_in_record3 output' })),
      fListInRecord4: t.fn('f-list-in-record4', () => ({ a: 'result4' })),
      fListInVariant1: t.fn('f-list-in-variant1', () => {}),
      fListInVariant2: t.fn('f-list-in-variant2', () => 'list_in_variant2'),
      fListInVariant3: t.fn('f-list-in-variant3', () => 'output3'),
      errnoResult: t.fn('errno-result', () => {
        if (firstErr) {
          firstErr = false;
          throw 'b';
        }
      }),
      listTypedefs: t.fn('list-typedefs', () =>
        [new TextEncoder().encode('typedef3'), ['typedef4']]),
      listOfVariants: t.fn('list-of-variants', () => [
        [false, true],
        [{ tag: 'err', val: undefined }, { tag: 'ok', val: undefined }],
        ['a', 'b'],
      ]),
    },
  };
}

export async function run(t) {
  const x = (e) => e['test:flavorful/test'];
  await t.seq([
    ['test-imports', (e) => e.testImports()],
    ['test is the interface', (e) => e.test === x(e)],
    ['f-list-in-record1', (e) => x(e).fListInRecord1({ a: 'list_in_record1' })],
    ['f-list-in-record2', (e) => x(e).fListInRecord2()],
    ['f-list-in-record3', (e) => x(e).fListInRecord3({ a: 'list_in_record3 input' })],
    ['f-list-in-record4', (e) => x(e).fListInRecord4({ a: 'input4' })],
    ['f-list-in-variant1(foo, err bar)', (e) =>
      x(e).fListInVariant1('foo', { tag: 'err', val: 'bar' })],
    ['f-list-in-variant2', (e) => x(e).fListInVariant2()],
    ['f-list-in-variant3(input3)', (e) => x(e).fListInVariant3('input3')],
    ['errno-result', (e) => x(e).errnoResult()],
    ['list-typedefs', (e) => x(e).listTypedefs('typedef1', ['typedef2'])],
    ['list-of-variants', (e) => x(e).listOfVariants(
      [true, false],
      [{ tag: 'ok', val: undefined }, { tag: 'err', val: undefined }],
      ['success', 'a'])],
    // values the guest asserts against: traps
    ['f-list-in-variant1(none, ok)', (e) =>
      x(e).fListInVariant1(null, { tag: 'ok', val: undefined })],
    ['f-list-in-variant3(none)', (e) => x(e).fListInVariant3(null)],
    ['f-list-in-record3(other)', (e) => x(e).fListInRecord3({ a: 'other' })],
  ]);
}
