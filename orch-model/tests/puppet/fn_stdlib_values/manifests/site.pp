# Each value becomes a node name, so the graph shows what every function returned.
$h = { 'b' => 1, 'a' => { 'x' => 1 } }
$values = [
  join(range(1, 3), ','), join(range('a', 'c'), ','), join(range('host01', 'host03'), ','),
  join(range(1, 9, 4), ','), join(range('1..3'), ','),
  join(concat([1], [2, 3], 4), ','), join(merge($h, { 'c' => 3 }).keys, ','),
  to_json(deep_merge($h, { 'a' => { 'y' => 2 } })), to_json($h), to_json_pretty({ 'k' => [1, 'v'] }),
  String(member(['a', 'b'], 'b')), String(member(['a', 'b'], ['a', 'c'])), String(has_key($h, 'a')),
  pick(undef, '', 'p'), pick_default(undef, ''), String(size([1, 2])), String(count(['a', '', undef, 'b'])),
  join(delete(['a', 'b', 'a'], 'a'), ','), delete('banana', 'an'), join(delete($h, 'b').keys, ','),
  join(union(['a', 'b'], ['b', 'c']), ','), join(difference(['a', 'b', 'c'], ['b']), ','),
  join(intersection(['a', 'b', 'c'], ['c', 'b']), ','), join(prefix(['x', 'y'], 'p-'), ','),
  join(suffix(['x', 'y'], '-s'), ','), join(sort(['b', 'a', 'C']), ','), join(sort([10, 9, 1]), ','),
  upcase('ab'), downcase('AB'), capitalize('aBC'), strip('  s  '), lstrip('  l'), rstrip('r  '),
  String(str2bool('yes')), String(str2bool('f')), bool2str(true), bool2str(false, 'on', 'off'),
  join(any2array('one'), ','), String(any2array(undef)), to_json(any2array({ 'k' => 'v' })),
  String(dig44($h, ['a', 'x'])), String(dig44($h, ['a', 'nope'], 'dflt')),
  to_json(zip([1, 2], ['a', 'b'])), to_json(hash(['a', 1, 'b', 2])), String(min(3, 1, 2)),
  String(max(3, 10, 2)), String(max('b', 'a')), String(is_string('x')), String(is_string('1')),
  String(is_array([])), String(is_hash({})), String(is_bool(true)), String(is_integer('12')),
  String(is_float('1.5')), String(is_numeric(3)), to_yaml({ 'a' => [1, 'b'] }),
  join(flatten([1, [2, [3]]]), ','), String(is_absolute_path('/x')), String(is_absolute_path('C:\\x')), String(is_absolute_path('x/y')), join(unique([1, 1, 2]), ','), String(length('abc')),
]
validate_string('a', undef)
validate_array([])
validate_hash({})
validate_bool(false)
site { m { 'v': on => $values, nodes => $values.map |$i, $v| { [Node[$v], M::Prod["v-${i}"]] }.hash } }
validate_re('abc', 'b')
validate_absolute_path('/tmp', ['/a', 'D:/b'])
