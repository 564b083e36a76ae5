function foo(Integer *$r) { $r }
warning(String(foo(1, 2)))
warning(String(foo(1, 'x')))
site { }
