# A lambda followed by a hash on the next line: Puppet places the error at the method call's dot.
Enum[a, b].each |$i, $x| { warning("$i$x") }
{a => 1}.each |$k, $v| { warning("$k=$v") }
site { }
