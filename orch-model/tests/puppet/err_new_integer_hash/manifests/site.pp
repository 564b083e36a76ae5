# The hash form is checked as a struct: every problem, one line each.
$x = Integer({from => '1', abs => 'x', bad => 1})
site { }
