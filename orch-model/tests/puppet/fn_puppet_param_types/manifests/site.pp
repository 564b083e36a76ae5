function foo(Integer $a, String $b = 'x', *$rest) { "${a}${b}${rest}" }
warning(foo(1))
warning(foo(1, 'y', 2, 3))
warning(foo('a'))
site { }
