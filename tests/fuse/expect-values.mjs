// The values of tests/fuse/*.expect lines, shared by run.mjs (the fused
// module) and chain/oracle.mjs (the unfused composition under jco).

// `i32:5`, `i64:-1`, `f32:nan`, `f64:inf`: a typed value.
export function parseValue(tok) {
  const m = /^(i32|i64|f32|f64):(.*)$/.exec(tok);
  if (!m) throw new Error(`bad value ${tok}`);
  const [, t, v] = m;
  if (t === 'i64') return { t, v: BigInt.asIntN(64, BigInt(v)) };
  if (t === 'i32') return { t, v: Number(BigInt.asIntN(32, BigInt(v))) };
  const f = v === 'nan' ? NaN : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : Number(v);
  return { t, v: t === 'f32' ? Math.fround(f) : f };
}

// Whether a result has the expected bits: wasm and jco give u32 as a
// number and u64 as a BigInt, signed or not; the expect file writes the
// same bits either way.
export function same(want, got) {
  if (want.t === 'i64') return typeof got === 'bigint' && BigInt.asIntN(64, got) === want.v;
  if (want.t === 'i32') return typeof got === 'number' && Number.isInteger(got) && (got | 0) === want.v;
  if (Number.isNaN(want.v)) return Number.isNaN(got);
  return Object.is(got, want.v);
}

export function show(v) {
  return typeof v === 'bigint' ? `${v}n` : String(v);
}

// `NAME ARGS... [-> RESULTS...]`
export function parseCall(rest) {
  const arrow = rest.indexOf('->');
  const head = (arrow < 0 ? rest : rest.slice(0, arrow)).trim().split(/\s+/);
  const results = arrow < 0 ? [] : rest.slice(arrow + 2).trim().split(/\s+/).filter(Boolean);
  return { name: head[0], args: head.slice(1).map(parseValue), results: results.map(parseValue) };
}
