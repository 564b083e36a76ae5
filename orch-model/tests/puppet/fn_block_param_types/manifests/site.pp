$r = [1, 2, 3].map |Integer $x, $y = 5| { $x + $y }
warning(String($r))
$q = [1].map |String $x| { $x }
site { }
