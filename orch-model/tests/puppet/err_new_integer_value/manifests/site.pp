# Not a convertible value: its generalised type.
$x = Integer([1, [2], 'a'])
site { }
