function foo(Integer $a) >> String { $a }
warning(foo(1))
site { }
