# What each, map, filter and reduce iterate: arrays, hashes, strings, integers and the types
# Integer[a, b] and Enum; with one parameter or two (an index, or a hash's key).
warning(String([
  Integer[1, 5].reduce |$m, $x| { $m * $x }, 'abc'.reduce |$m, $x| { "${x}${m}" },
  {a => 1}.reduce |$m, $x| { $x }, Enum[a, b].reduce |$m, $x| { "$m$x" },
  Integer[1, 3].filter |$i, $x| { $x > 1 }, 3.filter |$x| { $x > 0 }, 'ab'.filter |$x| { $x == 'a' },
  {a => 1, b => 2}.filter |$k, $v| { $v > 1 }, {a => 1}.map |$x| { $x }, [1, 2].map |$i, $x| { $i },
  Enum[a, b].map |$x| { $x }, -2.map |$x| { $x }, [1, 2, 3].reduce(10) |$m, $x| { $m + $x },
]))
Enum[a, b].each |$i, $x| { warning("$i$x") }
$r = {a => 1}.each |$k, $v| { warning("$k=$v") }
site { }
