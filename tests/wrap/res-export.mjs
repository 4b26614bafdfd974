// res-export.wat: a resource type the root exports (test:res/api r),
// defined in $Def and used by $User and $Taker, each with its own table.
// Handles cross between the inner components, go to the host (user-give)
// and come back as own (taker-take) and as borrows (get into the defining
// component, user-lend into another); misuse traps.
const dispose = Symbol.dispose || Symbol.for('dispose');

export function host() {
  return {};
}

export async function run(t) {
  const x = (e) => e['test:res/api'];
  const keep = {};
  await t.seq([
    ['user-make(7)', (e) => x(e).userMake(7)],
    ['user-peek', (e) => x(e).userPeek()],
    ['user-pass', (e) => x(e).userPass()],
    ['taker-peek', (e) => x(e).takerPeek()],
    ['drops', (e) => x(e).drops()],
    ['taker-drop', (e) => x(e).takerDrop()],
    ['drops, last', (e) => [x(e).drops(), x(e).last()]],
    ['user-make(9)', (e) => x(e).userMake(9)],
    ['user-give', (e) => (keep.a = x(e).userGive()) && 'an r'],
    ['get(a)', (e) => x(e).get(keep.a)],
    ['pair(a)', (e) => x(e).pair(keep.a)],
    ['user-lend(a)', (e) => x(e).userLend(keep.a)],
    ['drops', (e) => x(e).drops()],
    ['drop a', () => keep.a[dispose]()],
    ['drops, last', (e) => [x(e).drops(), x(e).last()]],
    ['user-make(11), give', (e) => x(e).userMake(11) && (keep.b = x(e).userGive()) && 'an r'],
    ['taker-take(b)', (e) => x(e).takerTake(keep.b)],
    ['taker-peek', (e) => x(e).takerPeek()],
    ['drops', (e) => x(e).drops()],
    ['taker-drop', (e) => x(e).takerDrop()],
    ['drops, last', (e) => [x(e).drops(), x(e).last()]],
    ['user-peek after give', (e) => x(e).userPeek()],
    ['user-make(4), pass', (e) => [x(e).userMake(4), x(e).userPass()]],
    ['user-peek after pass', (e) => x(e).userPeek()],
    ['user-make(5), pass, taker-drop', (e) =>
      [x(e).userMake(5), x(e).userPass(), x(e).takerDrop()]],
    ['taker-drop again', (e) => x(e).takerDrop()],
    ['user-make(6), give twice', (e) => {
      x(e).userMake(6);
      keep.c = x(e).userGive();
      return x(e).userGive();
    }],
    ['drops', (e) => x(e).drops()],
  ]);
}
