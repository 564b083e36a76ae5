# Integer.new as Puppet 5.5 dispatches it: Ruby's Integer() after Puppet's pattern, with a radix
# of 2, 8, 10 or 16, abs, and the hash form.
$values = [
  Integer('0xff', 16), Integer('17', 8), Integer('017', 8), Integer('0b11', 2), Integer('11', 2),
  Integer('-0x1f'), Integer(' 12'), Integer('+5'), Integer('- 5'), Integer('-  0b11'), Integer('017'),
  Integer('00'), Integer(3.9), Integer(-3.9), Integer(true), Integer('0b11', 16), Integer('12', 16),
  Integer('010', 10), Integer('1', default), Integer('-12', default, true),
  Integer({from => '0x10', abs => true}), Integer({from => '10', radix => 8}),
  Integer.new('7'),
]
warning(String($values))
site { }
