# The main manifest's definitions are instantiated before top scope runs: the parameter type
# fails before fail() does.
fail('top scope ran')
define local(Integer $i, Hash[String, Nope::Z] $z) { }
site { }
