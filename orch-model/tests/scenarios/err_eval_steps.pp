# Iteration nested in iteration asks for 11^16 evaluations: Puppet ran until the request timed
# out; orch stops at its evaluation budget (MAX_EVAL_STEPS) with the place it got to.
$s = 'abcdefghijk'
$s.each |$a| { $s.each |$b| { $s.each |$c| { $s.each |$d| { $s.each |$e| { $s.each |$f| {
  $s.each |$g| { $s.each |$h| { $s.each |$i| { $s.each |$j| { $s.each |$k| { $s.each |$l| {
    $s.each |$m| { $s.each |$n| { $s.each |$o| { $s.each |$p| { $x = "${a}${p}" } } } }
  } } } } } }
} } } } } }
site { }
