$a = Notify[undef, default]
site { }
