# Resource and class references as Puppet 5.5 builds and prints them: titles flattened, undef
# titles dropped, strings quoted by Puppet's string converter.
class foo {}
define foo::bar {}
$a = Notify[undef, 'x', [['y'], undef]]
$b = Notify[[]]
$c = Notify[undef]
$d = Notify[['z']]
warning(String([$a, $b, $c, $d]))
warning(String([Resource[Notify, 'a', undef], Resource['notify', undef]]))
warning(String(Class[undef, 'foo', ['::Bar']]))
warning(String(Class[undef]))
$n = Notify['c']
warning($n)
warning([$n])
warning("${n}")
warning(String(Class['foo']))
warning(Class['::Foo::Bar'])
warning(String(Resource['notify']))
warning(String(Notify['a'] == Resource['notify', 'a']))
warning(String(["it's", 'a\b', "x\ny", "q\"", "t\t"]))
warning(String(Notify["x\ny"]))
warning(String({"it's" => 1}))
warning(String(Foo::Bar['x']))
$x = notify { 'c1': }
warning(String($x))
$w = notify { ['d', 'e']: }
warning(String($w))
$v = notify { [['f', ['g']]]: }
warning(String($v))
$u = notify { default: message => 'd'; 'h': }
warning(String($u))
site { }
