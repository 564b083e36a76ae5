# A missing file without a default: a warning, and undef.
$v = loadyaml('nope.yaml')
$n = $v ? { undef => 'was-undef', default => 'was-set' }
site { m { 'x': on => [$n], nodes => { Node[$n] => M::Prod['x-0'] } } }
