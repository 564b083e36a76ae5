# A function that calls itself with a value twice as big: stopped at MAX_VALUE_ELEMENTS at the
# call that passes the value on.
function twice($x) { twice($x + $x) }
$v = twice([1])
site { }
