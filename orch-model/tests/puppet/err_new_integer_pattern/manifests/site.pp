# A string Puppet's pattern rejects fails before any radix applies.
$x = Integer('ff', 16)
site { }
