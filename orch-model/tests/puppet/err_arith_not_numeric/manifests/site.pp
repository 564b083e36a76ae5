# The operand that is not a number, at that operand.
$x = 1 + [a]
site { }
