function foo($a) { $a }
warning(foo(1, 2))
site { }
