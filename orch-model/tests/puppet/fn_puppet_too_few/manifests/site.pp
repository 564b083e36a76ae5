function foo($a, $b = 1) { $a }
warning(foo())
site { }
