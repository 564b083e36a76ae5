# Puppet places a comparison's error at its operator.
$ok = 'a,b'.split(',')
$x = 1 < 'a'
site { }
