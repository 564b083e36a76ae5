# `Notify[undef]` is undef, not an error (bug found in ccaum/puppetlabs-rgbank).
$t = undef
notify { 'a': message => Notify[$t] }
site { }
