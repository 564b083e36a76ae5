$x = 'a' warning("${x}b ${x}::c $x-d")
site { }
