# Relative paths: inside the environment (Puppet read them from its working directory, which
# the oracle sets to the environment).
$y = loadyaml('data/nodes.yaml')
$j = loadjson('data/nodes.json')
$missing = loadyaml('data/nope.yaml', { 'nodes' => ['fallback.example'] })
$bad = loadyaml('data/bad.yaml', { 'nodes' => ['bad-default.example'] })
$on = $y['nodes'] + $j.keys + $j['a'] + $missing['nodes'] + $bad['nodes'] + [String($y['size'])]
site { m { 'y': on => $on, nodes => $on.map |$i, $v| { [Node[$v], M::Prod["y-${i}"]] }.hash } }
