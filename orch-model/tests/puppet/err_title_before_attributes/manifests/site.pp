# Puppet checks a body's titles before it evaluates its attributes.
$t = undef
$z = 0
notify { $t: message => 1 / $z }
site { }
