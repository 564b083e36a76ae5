# Wrapping the memo again at every step builds an array 200,000 levels deep. Puppet shares
# the memo by reference (and only failed printing it); orch copies values, so it stops at
# MAX_VALUE_DEPTH at the literal that went past it.
$deep = Integer[1, 200000].reduce([]) |$memo, $i| { [$memo] }
notice(String($deep))
site { }
