# An alias's body is interpreted, not evaluated: an unknown name in it is a type reference.
type Local::Maybe = Variant[Integer, Nope::Thing]
$ok = 3 =~ Local::Maybe
warning(String($ok))
class local::typed(Local::Maybe $v) { }
site { }
