# Deliberate difference: Puppet runs a module's Ruby function; orch runs no Ruby and says so.
$v = x::compute(1)
site { }
