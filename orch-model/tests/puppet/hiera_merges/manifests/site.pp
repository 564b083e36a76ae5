application app { m::prod { $name: export => Cap[$name] } }
M::Prod produces Cap { host => $host }
warning(lookup('arr', Array, 'unique'))
warning(String(lookup('arr')))
warning(String(lookup('scalar', Array, 'unique')))
warning(String(lookup('h', Hash, 'hash')))
warning(String(lookup('h', Hash, 'deep')))
warning(String(lookup('h', Hash, 'first')))
warning(String(lookup('ko', Hash, {'strategy' => 'deep', 'knockout_prefix' => '--'})))
warning(String(lookup('sorted', Array, {'strategy' => 'deep', 'sort_merged_arrays' => true})))
warning(String(lookup('sorted', Array, 'deep')))
warning(String(lookup('ha', Array, {'strategy' => 'deep', 'merge_hash_arrays' => true})))
warning(String(lookup('ha', Array, 'deep')))

site { app { 'x': nodes => { Node['n1'] => M::Prod['x'] } } }
