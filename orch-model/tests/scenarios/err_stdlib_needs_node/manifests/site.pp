# Deliberate difference: Puppet 5.5.22 computes fqdn_rand_string from a missing fqdn fact in the
# environment compile (a value no node would get); orch says why it cannot.
$password = fqdn_rand_string(10)
site { }
