application app { m::prod { $name: export => Cap[$name] } }
M::Prod produces Cap { host => $host }
type Local = Enum['a', 'b']
type Local::Nest = Array[Variant[Integer, Local::Nest]]
warning(String(8080 =~ M::Port))
warning(String(0 =~ M::Port))
warning(String({'a' => 80} =~ Hash[String[1], M::Port]))
warning(String({'' => 80} =~ Hash[String[1], M::Port]))
warning(String(['a', ['b', ['c']]] =~ M::Tree))
warning(String(['a', [1]] =~ M::Tree))
warning(String([80, 'x'] =~ Array[Variant[M::Port, M::Name]]))
warning(String([80, 'X'] =~ Array[Variant[M::Port, M::Name]]))
warning(String(undef =~ Optional[M::Port]))
warning(String(70000 =~ Optional[M::Port]))
warning(String({'p' => 80} =~ Struct[{'p' => M::Port, Optional['q'] => String}]))
warning(String({'p' => 80, 'z' => 1} =~ Struct[{'p' => M::Port}]))
warning(String({'q' => 'x'} =~ Struct[{'p' => M::Port, Optional['q'] => String}]))
warning(String([1, 'a'] =~ Tuple[Integer, String]))
warning(String([1, 2] =~ Tuple[Integer, String]))
warning(String([1, 'a', 'b'] =~ Tuple[Integer, String, 1, 3]))
warning(String(M::Port =~ Type[M::Port]))
warning(String('a' =~ Local))
warning(String('c' =~ Local))
warning(String([1, [2]] =~ Local::Nest))
warning(String(Sensitive(80) =~ Sensitive[M::Port]))

site { app { 'x': nodes => { Node['n1'] => M::Prod['x'] } } }
