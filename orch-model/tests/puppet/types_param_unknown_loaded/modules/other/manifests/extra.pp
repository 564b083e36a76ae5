# Loading this file instantiates both defines: the unused one's parameter type fails.
define other::extra(Integer $x = 1) { }
define other::unused(Optional[Nope::Y] $x) { }
Other::Extra produces Cap { }
