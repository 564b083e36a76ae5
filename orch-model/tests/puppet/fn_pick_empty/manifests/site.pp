$v = pick(undef, '')
site { }
