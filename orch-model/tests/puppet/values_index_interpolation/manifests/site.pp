$x = [1, 2]
$y = $x + [3]
$z = "${x[0]}-${y[-1]}"
warning($z)
$s = 'abc'
warning("${s[0,2]}|${s[-1]}|${s[5]}")
site { }
