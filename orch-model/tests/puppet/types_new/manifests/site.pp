application app { m::prod { $name: export => Cap[$name] } }
M::Prod produces Cap { host => $host }
warning(String(Integer('0x1f')))
warning(String(Integer('017')))
warning(String(Integer('-12')))
warning(String(Integer('0b101')))
warning(String(Integer(3.9)))
warning(String(Integer(true)))
warning(String(Float('1.5')))
warning(String(Float(2)))
warning(String(Boolean('yes')))
warning(String(Boolean('false')))
warning(String(Array({'a' => 1})))
warning(String(Hash([['a', 1], ['b', 2]])))
warning(String(Hash(['a', 1])))
warning(String(Array('abc', true)))
warning(String(Integer.new('42')))
warning(String(Numeric('3.5')))
warning(String(Numeric('7')))

site { app { 'x': nodes => { Node['n1'] => M::Prod['x'] } } }
